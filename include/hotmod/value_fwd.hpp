// hotmod/value_fwd.hpp — the name hotmod::Value without its definition.
//
// Value is nlohmann::json. Defining it (hotmod/value.hpp) costs every file
// that includes it over a second of compile time, even from a precompiled
// header, and even declaring it brings <memory>, <map> and <vector>. So
// hotmod/module.hpp does neither: exported functions taking and returning
// standard types (numbers, bool, strings, vectors, string-keyed maps)
// convert through the host's code. A module that builds or reads Values
// itself, subscribes to events, imports other modules or exports functions
// taking its own types through to_json/from_json includes hotmod/value.hpp.
#pragma once

#include <cstdint>

#include <nlohmann/json_fwd.hpp>

#include "hotmod/type_name.hpp"

#if !defined(NLOHMANN_JSON_VERSION_MAJOR)
#error "hotmod needs nlohmann_json 3.11 or newer (json_fwd.hpp must define its version)"
#endif

namespace hotmod {

using Value = nlohmann::json;

namespace detail {
// What module-side templates reach Value through (hotmod/detail/value_ops.hpp
// declares it): incomplete where this header is not included.
template <class T>
struct JsonValue {
  using type = Value;
  static constexpr std::uint32_t version = NLOHMANN_JSON_VERSION_MAJOR * 10000 +
                                           NLOHMANN_JSON_VERSION_MINOR * 100 +
                                           NLOHMANN_JSON_VERSION_PATCH;
};
}  // namespace detail

}  // namespace hotmod
