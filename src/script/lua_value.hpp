// Values crossing between Lua and the rest of hotmod (hotmod::Value, JSON).
//
//   JSON                 Lua
//   null                 nil
//   true / false         boolean
//   integer              integer (an unsigned one above 2^63-1: float)
//   float                float (4.0 stays a float, and prints "4.0")
//   string               string (bytes: a Lua string that is not UTF-8
//                        crosses as is, and nlohmann's dump() refuses it)
//   array                sequence 1..n (a null element leaves a hole)
//   object               table with string keys
//
// Reading a table back: keys exactly 1..n make an array; any other table
// is an object, its integer keys written as strings ({1, 2, x = 3} reads as
// {"1": 1, "2": 2, "x": 3}). An empty table reads as an empty array `[]`:
// Lua cannot tell {} from {}, and lists are what functions return far more
// often than maps (a C++ std::vector<T> parameter rejects `{}`). Functions,
// userdata and threads cannot cross, nor tables that contain themselves,
// nor keys other than strings and integers, nor more than kMaxDepth levels
// of nesting, nor more than kMaxValues values once shared tables are copied
// to each place they appear; the error names where the value was found:
//   argument 2: field 'cb' is a function; only nil, booleans, numbers,
//   strings and tables cross module boundaries
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "hotmod/value.hpp"

struct lua_State;

namespace hotmod::script {

inline constexpr int kMaxDepth = 100;  // tables inside tables, either way
// Values in one value read from Lua, counting each place a shared table is
// copied to: the bound on what a table shared at every level expands to.
inline constexpr std::size_t kMaxValues = 1'000'000;

// Pushes `value`. Raises a Lua error only when out of memory or nested more
// than kMaxDepth deep: call it inside protect() (lua_guard.hpp).
void push_value(lua_State* L, const Value& value);

// Reads the value at `index`; never raises. `what` names it in the error
// ("argument 2", "result"). Returns nullopt with the reason in `error`.
std::optional<Value> to_value(lua_State* L, int index, std::string_view what, std::string& error);

// Reads the values from `first` to the stack top into a JSON array, each
// named "argument N" (N counted from `first`).
std::optional<Value> args_to_value(lua_State* L, int first, std::string& error);

}  // namespace hotmod::script
