// hotmod/value.hpp — the dynamic value that crosses module boundaries.
//
// Value is nlohmann::json, so user types convert through their own
// to_json/from_json. Result<T> and Error (hotmod/error.hpp) come with it:
// library code never throws for an expected failure. Hosts get it with
// hotmod/runtime.hpp; a module includes it when it builds or reads Values
// itself, and with it everything that carries Values or Results to a
// module (see hotmod/value_fwd.hpp and hotmod/context.hpp for why
// module.hpp does not): the event bus, Module handles and Refs.
#pragma once

#include <nlohmann/json.hpp>

#include "hotmod/error.hpp"
#include "hotmod/events.hpp"
#include "hotmod/handle.hpp"
#include "hotmod/ref.hpp"
#include "hotmod/value_fwd.hpp"
