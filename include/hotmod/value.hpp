// hotmod/value.hpp — the dynamic value that crosses module boundaries.
//
// Value is nlohmann::json, so user types convert through their own
// to_json/from_json. Result<T> and Error (hotmod/error.hpp) come with it:
// library code never throws for an expected failure. Hosts get it with
// hotmod/runtime.hpp; a module includes it only when it builds or reads
// Values itself (see hotmod/value_fwd.hpp for why module.hpp does not).
#pragma once

#include <nlohmann/json.hpp>

#include "hotmod/error.hpp"
#include "hotmod/value_fwd.hpp"
