// Completion of the word at the end of a console line: a global, or a field
// of what the part before the last '.' or ':' names. Resolving that part may
// load modules (through the console's own resolvers) but runs no other
// __index function of the user's tables: only __index tables are followed.
#include <set>

#include <lua.hpp>

#include "script/console_names.hpp"
#include "script/literal.hpp"
#include "script/lua_guard.hpp"
#include "script/module_proxy.hpp"

namespace hotmod::script {
namespace {

constexpr int kMaxHops = 8;  // __index tables followed

bool word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == ':';
}

// The identifier keys of the table at `t` (function values only when
// `functions_only`).
void table_keys(lua_State* L, int t, bool functions_only, std::vector<std::string>& out) {
  t = lua_absindex(L, t);
  lua_pushnil(L);
  while (lua_next(L, t) != 0) {
    if (lua_type(L, -2) == LUA_TSTRING && (!functions_only || lua_isfunction(L, -1))) {
      const char* k = lua_tostring(L, -2);
      if (is_identifier(k)) out.emplace_back(k);
    }
    lua_pop(L, 1);
  }
}

// Replaces the table on top with its field `key`, as Lua code would see it
// for _G, module proxies and namespaces (their __index runs), and through
// __index tables for any other table. False (top popped) when nothing's there.
bool step(lua_State* L, std::string_view key) {
  if (!lua_istable(L, -1)) {
    lua_pop(L, 1);
    return false;
  }
  auto lookup = [key](lua_State* S) noexcept -> int {
    for (int hop = 0; hop < kMaxHops; ++hop) {
      lua_settop(S, 1);
      lua_pushlstring(S, key.data(), key.size());
      lua_rawget(S, 1);
      if (!lua_isnil(S, -1)) return 1;
      if (!lua_getmetatable(S, 1)) return 0;  // 3
      lua_getfield(S, 3, "__index");          // 4
      if (lua_istable(S, 4)) {
        lua_replace(S, 1);
        continue;
      }
      lua_rawgeti(S, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
      const bool ours = lua_rawequal(S, 1, -1) || lua_getfield(S, 3, kModuleField.data()) ||
                        lua_getfield(S, 3, kNamespaceField);
      if (!ours || !lua_isfunction(S, 4)) return 0;
      lua_pushvalue(S, 4);
      lua_pushvalue(S, 1);
      lua_pushlstring(S, key.data(), key.size());
      lua_call(S, 2, 1);
      return 1;
    }
    return 0;
  };
  if (protect(L, 1, 1, lookup) != LUA_OK) {
    lua_pop(L, 1);
    return false;
  }
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return false;
  }
  return true;
}

// The names after "value." (or "value:" when `method`) for the value on top.
std::vector<std::string> member_names(ConsoleState& s, bool method) {
  lua_State* L = s.L;
  std::vector<std::string> out;
  if (lua_type(L, -1) == LUA_TSTRING) {  // s:upper()
    lua_rawgeti(L, LUA_REGISTRYINDEX, s.libraries_ref);
    if (find_field(L, -1, LUA_STRLIBNAME) && lua_istable(L, -1)) table_keys(L, -1, true, out);
    return out;
  }
  if (!lua_istable(L, -1)) return out;
  const int t = lua_gettop(L);
  if (lua_getmetatable(L, t)) {
    const int mt = lua_gettop(L);
    // Tables of the user's making may have these fields too, of any type.
    if (find_field(L, mt, kModuleField) && lua_type(L, -1) == LUA_TSTRING) {
      const std::string module = lua_tostring(L, -1);
      if (s.host.functions) {
        if (auto functions = s.host.functions(module); functions.ok()) out = functions.value();
      }
      if (!method) {
        for (std::string& n : segments_under(s, module)) out.push_back(std::move(n));
      }
      if (find_field(L, mt, kFallbackField) && lua_istable(L, -1)) table_keys(L, -1, method, out);
      return out;
    }
    if (find_field(L, mt, kNamespaceField) && lua_type(L, -1) == LUA_TSTRING) {
      if (!method) out = segments_under(s, lua_tostring(L, -1));
      return out;
    }
    lua_settop(L, t);
  }
  for (int hop = 0; hop < kMaxHops && lua_istable(L, -1); ++hop) {
    table_keys(L, -1, method, out);
    if (!lua_getmetatable(L, -1) || !find_field(L, -1, "__index")) break;
  }
  return out;
}

std::vector<std::string> global_names(ConsoleState& s) {
  lua_State* L = s.L;
  std::vector<std::string> out;
  lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
  table_keys(L, -1, false, out);
  lua_rawgeti(L, LUA_REGISTRYINDEX, s.libraries_ref);
  table_keys(L, -1, false, out);
  lua_pop(L, 2);
  for (std::string& n : segments_under(s, "")) out.push_back(std::move(n));
  for (std::string_view k : lua_keywords()) out.emplace_back(k);
  return out;
}

}  // namespace

std::vector<std::string> complete_names(ConsoleState& s, std::string_view line) {
  std::size_t start = line.size();
  while (start > 0 && word_char(line[start - 1])) --start;
  const std::string_view word = line.substr(start);
  lua_State* L = s.L;
  StackGuard guard(L);
  if (!lua_checkstack(L, 16)) return {};

  std::set<std::string> out;
  const std::size_t sep = word.find_last_of(".:");
  if (sep == std::string_view::npos) {
    for (std::string& n : global_names(s)) {
      if (n.compare(0, word.size(), word) == 0) out.insert(std::move(n));
    }
    return {out.begin(), out.end()};
  }
  const std::string_view path = word.substr(0, sep);
  const std::string_view partial = word.substr(sep + 1);
  if (path.empty() || path.find(':') != std::string_view::npos) return {};
  lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
  for (std::size_t at = 0; at <= path.size();) {
    std::size_t dot = path.find('.', at);
    if (dot == std::string_view::npos) dot = path.size();
    if (!step(L, path.substr(at, dot - at))) return {};
    at = dot + 1;
  }
  const std::string head(word.substr(0, sep + 1));
  for (const std::string& n : member_names(s, word[sep] == ':')) {
    if (n.compare(0, partial.size(), partial) == 0) out.insert(head + n);
  }
  return {out.begin(), out.end()};
}

}  // namespace hotmod::script
