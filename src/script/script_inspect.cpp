#include "script/script_inspect.hpp"

#include <algorithm>
#include <unordered_set>

#include <fmt/format.h>
#include <lua.hpp>

#include "script/literal.hpp"
#include "text/printable.hpp"

namespace hotmod::script {
namespace {

std::string_view key_at(lua_State* L, int index) {
  std::size_t len = 0;
  const char* s = lua_tolstring(L, index, &len);
  return {s, len};
}

// "greet(who, times)" from the function at `index`'s parameter names.
std::string signature(lua_State* L, int index, std::string_view name) {
  index = lua_absindex(L, index);
  lua_Debug ar;
  lua_pushvalue(L, index);
  lua_getinfo(L, ">u", &ar);
  std::string s(name);
  s += '(';
  lua_pushvalue(L, index);
  for (int i = 1; i <= ar.nparams; ++i) {
    const char* p = lua_getlocal(L, nullptr, i);
    if (i > 1) s += ", ";
    s += p != nullptr ? p : "?";
  }
  lua_pop(L, 1);
  if (ar.isvararg) s += ar.nparams > 0 ? ", ..." : "...";
  return s + ')';
}

// A string field, or a number written as Lua writes it (_version = 1.2).
// Control characters are escaped: the text is printed wherever the module is.
bool text_field(lua_State* L, int index, std::string& out) {
  if (lua_type(L, index) == LUA_TSTRING) {
    out = text::printable(key_at(L, index));
    return true;
  }
  if (lua_type(L, index) == LUA_TNUMBER) {
    out = lua_isinteger(L, index) ? format_integer(lua_tointeger(L, index))
                                  : format_float(lua_tonumber(L, index));
    return true;
  }
  return false;
}

bool string_list(lua_State* L, int index, std::vector<std::string>& out) {
  if (lua_type(L, index) != LUA_TTABLE) return false;
  index = lua_absindex(L, index);
  const lua_Unsigned n = lua_rawlen(L, index);
  for (lua_Unsigned i = 1; i <= n; ++i) {
    lua_rawgeti(L, index, static_cast<lua_Integer>(i));
    const bool ok = lua_type(L, -1) == LUA_TSTRING;
    if (ok) out.emplace_back(key_at(L, -1));
    lua_pop(L, 1);
    if (!ok) return false;
  }
  return true;
}

// One reserved or exported field; "" or what is wrong with it.
std::string read_field(lua_State* L, std::string_view key, ScriptVersion& v) {
  const bool is_function = lua_isfunction(L, -1);
  if (key == "_version") {
    return text_field(L, -1, v.version) ? "" : "_version must be a string";
  }
  if (key == "_description") {
    return text_field(L, -1, v.description) ? "" : "_description must be a string";
  }
  if (key == "_capabilities") {
    return string_list(L, -1, v.capabilities) ? "" : "_capabilities must be a list of strings";
  }
  if (key == "on_load" || key == "on_unload") {
    if (!is_function) return fmt::format("{} must be a function", key);
    (key == "on_load" ? v.has_on_load : v.has_on_unload) = true;
    return "";
  }
  if (is_function && is_exported_name(key)) {
    v.functions.push_back({std::string(key), signature(L, -1, key)});
  }
  return "";
}

class SizeWalk {
 public:
  explicit SizeWalk(lua_State* L) : L_(L) {}

  std::uint64_t add(int index, int depth) {
    index = lua_absindex(L_, index);
    const int type = lua_type(L_, index);
    if (type == LUA_TNIL || type == LUA_TBOOLEAN || type == LUA_TNUMBER ||
        type == LUA_TLIGHTUSERDATA) {
      return 0;
    }
    if (!seen_.insert(lua_topointer(L_, index)).second) return 0;
    switch (type) {
      case LUA_TSTRING:
        return 24 + lua_rawlen(L_, index) + 1;
      case LUA_TTABLE:
        return table(index, depth);
      case LUA_TUSERDATA:
        return 48 + lua_rawlen(L_, index);
      default:  // functions, threads
        return 32;
    }
  }

 private:
  std::uint64_t table(int t, int depth) {
    const lua_Unsigned n = lua_rawlen(L_, t);
    std::uint64_t bytes = 56 + 16 * static_cast<std::uint64_t>(n);
    if (depth > 200 || !lua_checkstack(L_, 4)) return bytes;
    std::uint64_t hashed = 0;
    lua_pushnil(L_);
    while (lua_next(L_, t) != 0) {
      const bool in_array = lua_isinteger(L_, -2) && lua_tointeger(L_, -2) >= 1 &&
                            static_cast<lua_Unsigned>(lua_tointeger(L_, -2)) <= n;
      if (!in_array) ++hashed;
      bytes += add(-2, depth + 1) + add(-1, depth + 1);
      lua_pop(L_, 1);
    }
    std::uint64_t nodes = 0;
    if (hashed > 0) {
      nodes = 1;
      while (nodes < hashed) nodes *= 2;
    }
    return bytes + 24 * nodes;
  }

  lua_State* L_;
  std::unordered_set<const void*> seen_;
};

}  // namespace

bool is_exported_name(std::string_view name) {
  return !name.empty() && name[0] != '_' && name != "on_load" && name != "on_unload";
}

std::string read_exports(lua_State* L, ScriptVersion& v) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, v.exports_ref);
  const int t = lua_gettop(L);
  std::string problem;
  lua_pushnil(L);
  while (problem.empty() && lua_next(L, t) != 0) {
    if (lua_type(L, -2) == LUA_TSTRING) problem = read_field(L, key_at(L, -2), v);
    lua_pop(L, 1);
  }
  lua_settop(L, t - 1);
  std::sort(v.functions.begin(), v.functions.end(),
            [](const ScriptFunction& a, const ScriptFunction& b) { return a.name < b.name; });
  return problem;
}

std::uint64_t reachable_bytes(lua_State* L, int index) {
  return SizeWalk(L).add(index, 0);
}

}  // namespace hotmod::script
