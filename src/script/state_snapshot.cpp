#include "script/state_snapshot.hpp"

#include <lua.hpp>

namespace hotmod::script {
namespace {

// The snapshot is a table: [recorded table] = {copy, metatable or nil}.
constexpr int kCopy = 1;
constexpr int kMetatable = 2;

// Appends the value on top to the work list at `worklist` (of length *n) when
// it is a table not recorded in `snap` yet; pops it either way.
void queue_table(lua_State* L, int snap, int worklist, lua_Integer* n) {
  if (lua_istable(L, -1)) {
    lua_pushvalue(L, -1);
    const bool recorded = lua_rawget(L, snap) != LUA_TNIL;
    lua_pop(L, 1);
    if (!recorded) {
      lua_rawseti(L, worklist, ++*n);
      return;
    }
  }
  lua_pop(L, 1);
}

}  // namespace

void push_state_snapshot(lua_State* L, int index) {
  index = lua_absindex(L, index);
  luaL_checkstack(L, 10, nullptr);
  lua_createtable(L, 0, 4);
  const int snap = lua_gettop(L);
  lua_createtable(L, 8, 0);
  const int worklist = lua_gettop(L);
  lua_Integer n = 0;
  lua_pushvalue(L, index);
  queue_table(L, snap, worklist, &n);
  while (n > 0) {
    lua_rawgeti(L, worklist, n);  // t
    lua_pushnil(L);
    lua_rawseti(L, worklist, n--);
    const int t = lua_gettop(L);
    lua_pushvalue(L, t);
    if (lua_rawget(L, snap) != LUA_TNIL) {  // reached twice before it was walked
      lua_settop(L, t - 1);
      continue;
    }
    lua_pop(L, 1);
    lua_createtable(L, 2, 0);  // the entry
    const int entry = lua_gettop(L);
    lua_createtable(L, 0, 0);  // the copy
    const int copy = lua_gettop(L);
    lua_pushvalue(L, copy);
    lua_rawseti(L, entry, kCopy);
    if (lua_getmetatable(L, t)) {
      lua_pushvalue(L, -1);
      lua_rawseti(L, entry, kMetatable);
      queue_table(L, snap, worklist, &n);
    }
    lua_pushvalue(L, t);
    lua_pushvalue(L, entry);
    lua_rawset(L, snap);
    lua_pushnil(L);
    while (lua_next(L, t) != 0) {  // key, value
      lua_pushvalue(L, -2);
      lua_pushvalue(L, -2);
      lua_rawset(L, copy);
      lua_pushvalue(L, -2);
      queue_table(L, snap, worklist, &n);  // the key
      queue_table(L, snap, worklist, &n);  // the value
    }
    lua_settop(L, t - 1);
  }
  lua_pop(L, 1);  // worklist; the snapshot stays
}

void restore_state_snapshot(lua_State* L, int index) {
  index = lua_absindex(L, index);
  luaL_checkstack(L, 10, nullptr);
  lua_pushnil(L);
  while (lua_next(L, index) != 0) {  // t, entry
    const int entry = lua_gettop(L);
    const int t = entry - 1;
    lua_pushnil(L);
    while (lua_next(L, t) != 0) {  // clearing a present field during a traversal is allowed
      lua_pop(L, 1);
      lua_pushvalue(L, -1);
      lua_pushnil(L);
      lua_rawset(L, t);
    }
    lua_rawgeti(L, entry, kCopy);
    const int copy = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, copy) != 0) {
      lua_pushvalue(L, -2);
      lua_insert(L, -2);
      lua_rawset(L, t);
    }
    lua_rawgeti(L, entry, kMetatable);
    lua_setmetatable(L, t);
    lua_settop(L, t);  // the key for lua_next
  }
}

}  // namespace hotmod::script
