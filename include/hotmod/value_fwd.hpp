// hotmod/value_fwd.hpp — the name hotmod::Value without its definition.
//
// Value is nlohmann::json. Declaring it costs a module nothing; defining it
// (hotmod/value.hpp) costs every file that includes it over a second of
// compile time, even from a precompiled header. So hotmod/module.hpp
// declares it only: exported functions taking and returning standard types
// (numbers, bool, strings, vectors, string-keyed maps) convert through the
// host's code. A module that builds or reads Values itself, or exports
// functions taking its own types through to_json/from_json, includes
// hotmod/value.hpp.
#pragma once

#include <cstdint>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace hotmod {

using Value = nlohmann::json;

// The human-readable name of a C++ type, identical in every image compiled
// from the same headers by g++ or clang. Used to name interfaces and to
// describe function signatures.
template <class T>
constexpr std::string_view type_name() {
#if defined(__clang__)
  constexpr std::string_view f = __PRETTY_FUNCTION__;  // "... [T = X]"
  constexpr std::string_view key = "T = ";
  constexpr auto start = f.find(key) + key.size();
  constexpr auto end = f.rfind(']');
#else
  constexpr std::string_view f = __PRETTY_FUNCTION__;  // "... [with T = X; ...]"
  constexpr std::string_view key = "T = ";
  constexpr auto start = f.find(key) + key.size();
  constexpr auto semi = f.find(';', start);
  constexpr auto end = semi == std::string_view::npos ? f.rfind(']') : semi;
#endif
  return f.substr(start, end - start);
}

// 64-bit FNV-1a, constexpr so fingerprints are computed at compile time.
constexpr std::uint64_t fnv1a(std::string_view s, std::uint64_t h = 14695981039346656037ull) {
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace hotmod
