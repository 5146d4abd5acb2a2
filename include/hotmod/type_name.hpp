// hotmod/type_name.hpp — a type's name and a string hash, both constexpr.
//
// What registration names interfaces and state layouts by. Needs no
// library header beyond <string_view>, so hotmod/module.hpp stays cheap.
#pragma once

#include <cstdint>
#include <string_view>

namespace hotmod {

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
