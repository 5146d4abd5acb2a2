// hotmod/value.hpp — the dynamic value that crosses module boundaries, and
// the small result type every fallible hotmod call returns.
//
// Value is nlohmann::json, so user types convert through their own
// to_json/from_json. Result<T> carries either a T or an Error naming what went
// wrong; library code never throws for an expected failure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include <nlohmann/json.hpp>

namespace hotmod {

using Value = nlohmann::json;

// Why something failed. `stage` is where (e.g. "load", "validate", "call"),
// `message` is what happened and what to do about it.
struct Error {
  std::string stage;
  std::string message;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

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
