// What the host reads from a script's tables without running its code:
// the exports of a chunk's returned table, and the size of hotmod.state.
// Both use only API functions that cannot raise, so they run outside any
// lua_pcall.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "script/script_module.hpp"

struct lua_State;

namespace hotmod::script {

// Whether `name` may be called from outside: not `_private`, not a hook.
bool is_exported_name(std::string_view name);

// Fills v's version, description, capabilities, functions (sorted, with
// signatures from the parameter names: "greet(who, times)", "f(a, ...)")
// and hook flags from the table at v.exports_ref. Returns "" or what is
// wrong ("_capabilities must be a list of strings").
std::string read_exports(lua_State* L, ScriptVersion& v);

// An estimate of the bytes the interpreter holds for what is reachable from
// the value at `index`, each table, string, function and userdata counted
// once. Lua does not report a table's memory, so it is computed from Lua
// 5.4's 64-bit layout: a table is 56 bytes plus 16 per array slot (its
// border, #t) plus 24 per hash node (its other keys, rounded up to a power
// of two as Lua sizes the hash part); a string 24 + length + 1; a function
// 32 (its upvalues and prototype are not followed); a full userdata 48 +
// its size. Numbers and booleans live in their table slots, so they add
// nothing of their own. Metatables are not followed.
std::uint64_t reachable_bytes(lua_State* L, int index);

}  // namespace hotmod::script
