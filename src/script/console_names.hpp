// How the console's names reach modules, and their completion.
//
// _G has a metatable whose __index resolves a global on first use, then
// keeps it in _G: a module's name gives its proxy; the first segment of
// dotted module names ("algorithms" for algorithms.sorting) gives a
// namespace table whose fields resolve the same way, one segment further.
// Lua's libraries (string, table, math, utf8, coroutine, io, os) are kept
// out of _G so that a module may take such a name: `math` is then the
// module's proxy, and whatever the module does not export (math.sqrt)
// falls back to the library.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "script/console.hpp"

struct lua_State;

namespace hotmod::script {

// Metatable fields that mark what the console made: a namespace's prefix,
// and the library a module proxy falls back to.
inline constexpr const char* kNamespaceField = "__hotmod_namespace";
inline constexpr const char* kFallbackField = "__hotmod_fallback";

struct ConsoleState {
  ConsoleHost host;
  lua_State* L = nullptr;
  int libraries_ref = 0;  // the registry table of Lua's libraries, by name
};

// Sets _G's metatable and defines import(name). Inside protect(); the
// libraries must already be in the table at libraries_ref.
void install_module_names(lua_State* L, ConsoleState& state);

// The distinct next segments of module names under `prefix` ("" for their
// first segments), sorted: "sorting" under "algorithms".
std::vector<std::string> segments_under(const ConsoleState& state, std::string_view prefix);

// Console::complete (console_complete.cpp).
std::vector<std::string> complete_names(ConsoleState& state, std::string_view line);

}  // namespace hotmod::script
