// Values written the way the console shows them: Lua literals.
//
//   16   4.0   1e+100   inf   true   nil   {1, 2, x = 3, ["a b"] = {}}
//
// Numbers are written as Lua writes them (an integral float keeps its
// ".0"). A string at the top level is written raw, as lua.c prints it; in a
// table it is quoted with Lua escapes. A table lists its sequence 1..n
// first, then its other keys sorted (numbers, then strings, then the rest),
// identifiers bare and other keys in brackets. A table reached again inside
// itself is written <cycle>; one whose metatable has a __name is written
// <NAME> (module proxies: <module 'm'>); functions and other values that
// have no literal as Lua's tostring writes them ("function: 0x5581...").
#pragma once

#include <string>
#include <string_view>
#include <vector>

struct lua_State;

namespace hotmod::script {

// Lua's own text for a number.
std::string format_integer(long long value);
std::string format_float(double value);

// "text" with Lua escapes for quotes, backslashes and control bytes.
std::string quote_string(std::string_view text);

// A name Lua accepts bare: letters, digits and _, not first a digit, not a
// keyword.
bool is_identifier(std::string_view text);

// Lua's reserved words, sorted.
const std::vector<std::string_view>& lua_keywords();

// The value at `index` as the console writes it. Never raises; calls no
// metamethod (a top-level value with __tostring is the caller's to convert).
std::string format_lua_value(lua_State* L, int index);

}  // namespace hotmod::script
