#include "script/console_names.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include <lua.hpp>

#include "script/lua_guard.hpp"
#include "script/module_proxy.hpp"
#include "text/suggest.hpp"

namespace hotmod::script {
namespace {

ConsoleState& state_of(lua_State* L) {
  return *static_cast<ConsoleState*>(lua_touserdata(L, lua_upvalueindex(1)));
}

std::string_view text_at(lua_State* L, int index) {
  std::size_t len = 0;
  const char* s = lua_tolstring(L, index, &len);
  return {s, len};
}

bool is_module(const ConsoleState& s, std::string_view name) {
  return s.host.is_module && s.host.is_module(name);
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

int namespace_index_body(lua_State* L);
int proxy_index_body(lua_State* L);

// Raises on memory errors: inside protect().
void push_namespace(lua_State* L, ConsoleState& s, std::string_view prefix) {
  lua_createtable(L, 0, 0);
  lua_createtable(L, 0, 5);
  lua_pushliteral(L, "locked");  // getmetatable(namespace) gives this, not the metatable
  lua_setfield(L, -2, "__metatable");
  lua_pushliteral(L, "modules '");
  lua_pushlstring(L, prefix.data(), prefix.size());
  lua_pushliteral(L, ".*'");
  lua_concat(L, 3);
  lua_pushvalue(L, -1);
  lua_setfield(L, -3, "__name");
  lua_pushcclosure(L, &tostring_upvalue, 1);
  lua_setfield(L, -2, "__tostring");
  lua_pushlstring(L, prefix.data(), prefix.size());
  lua_setfield(L, -2, kNamespaceField);
  lua_pushlightuserdata(L, &s);
  lua_pushlstring(L, prefix.data(), prefix.size());
  lua_pushcclosure(L, &cfunction<namespace_index_body>, 2);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, -2);
}

// Pushes what the module name `full` stands for: a module's proxy (falling
// back to the library at stack index `fallback`, if not 0) or a namespace.
// Returns 1, 0 (no such name, nothing pushed) or kFailed.
int resolve_module_name(lua_State* L, ConsoleState& s, std::string_view full, int fallback) {
  if (is_module(s, full)) {
    if (!s.host.functions) return fail(L, "modules are not reachable from this console");
    const Result<std::vector<std::string>> functions = s.host.functions(full);
    if (!functions.ok()) return fail(L, functions.error().message);
    if (push_proxy_protected(L, &s.host.call, full, functions.value(), &cfunction<proxy_index_body>,
                             &s) == kFailed) {
      return kFailed;
    }
    if (fallback == 0) return 1;
    lua_pushvalue(L, -1);
    lua_pushvalue(L, fallback);
    auto set = [](lua_State* S) noexcept {
      lua_getmetatable(S, 1);
      lua_pushvalue(S, 2);
      lua_setfield(S, -2, kFallbackField);
      return 0;
    };
    return protect(L, 2, 0, set) == LUA_OK ? 1 : kFailed;
  }
  if (segments_under(s, full).empty()) return 0;
  auto push = [&](lua_State* S) noexcept {
    push_namespace(S, s, full);
    return 1;
  };
  return protect(L, 0, 1, push) == LUA_OK ? 1 : kFailed;
}

// table[key] = the value on top, which stays there; 1 or kFailed.
int keep_top(lua_State* L, int table, int key) {
  lua_pushvalue(L, table);
  lua_pushvalue(L, key);
  lua_pushvalue(L, -3);
  auto set = [](lua_State* S) noexcept {
    lua_rawset(S, 1);
    return 0;
  };
  return protect(L, 3, 0, set) == LUA_OK ? 1 : kFailed;
}

// _G's __index(t, k).
int global_index_body(lua_State* L) {
  if (lua_type(L, 2) != LUA_TSTRING) return 0;
  ConsoleState& s = state_of(L);
  lua_settop(L, 2);
  lua_rawgeti(L, LUA_REGISTRYINDEX, s.libraries_ref);  // 3
  lua_pushvalue(L, 2);
  lua_rawget(L, 3);  // 4: a library of that name, or nil
  const int library = lua_istable(L, 4) ? 4 : 0;
  const int n = resolve_module_name(L, s, text_at(L, 2), library);
  if (n == kFailed) return kFailed;
  if (n == 0) {
    if (library == 0) return 0;
    lua_pushvalue(L, library);
  }
  return keep_top(L, 1, 2);
}

// A console proxy's __index(t, k): upvalues (state, module).
int proxy_index_body(lua_State* L) {
  if (lua_type(L, 2) != LUA_TSTRING) return 0;
  ConsoleState& s = state_of(L);
  const std::string_view module = text_at(L, lua_upvalueindex(2));
  const std::string_view key = text_at(L, 2);
  lua_settop(L, 2);
  std::vector<std::string> functions;
  if (s.host.functions) {
    Result<std::vector<std::string>> listed = s.host.functions(module);
    if (!listed.ok()) return fail(L, listed.error().message);
    functions = std::move(listed.value());
  }
  if (std::find(functions.begin(), functions.end(), key) != functions.end()) {
    return add_function_protected(L, 1, module, key);
  }
  const int n = resolve_module_name(L, s, std::string(module) + "." + std::string(key), 0);
  if (n == kFailed) return kFailed;
  if (n == 1) return keep_top(L, 1, 2);
  if (lua_getmetatable(L, 1) && find_field(L, -1, kFallbackField) && lua_istable(L, -1)) {
    lua_pushvalue(L, 2);
    lua_rawget(L, -2);
    if (!lua_isnil(L, -1)) return 1;
  }
  return fail(L, no_such_function(module, key, functions));
}

// A namespace's __index(t, k): upvalues (state, prefix).
int namespace_index_body(lua_State* L) {
  if (lua_type(L, 2) != LUA_TSTRING) return 0;
  ConsoleState& s = state_of(L);
  const std::string_view prefix = text_at(L, lua_upvalueindex(2));
  const std::string_view key = text_at(L, 2);
  lua_settop(L, 2);
  const std::string full = std::string(prefix) + "." + std::string(key);
  const int n = resolve_module_name(L, s, full, 0);
  if (n == kFailed) return kFailed;
  if (n == 1) return keep_top(L, 1, 2);
  const std::vector<std::string> segments = segments_under(s, prefix);
  std::string hint;
  if (std::string near = text::did_you_mean(key, segments); !near.empty()) {
    hint = fmt::format(" (did you mean '{}.{}'?)", prefix, near);
  }
  return fail(L, fmt::format("no module '{}'{}; modules under '{}': {}", full, hint, prefix,
                             joined(segments)));
}

// import(name)
int console_import_body(lua_State* L) {
  std::size_t len = 0;
  const char* name = luaL_checklstring(L, 1, &len);
  ConsoleState& s = state_of(L);
  if (!s.host.functions) return fail(L, "modules are not reachable from this console");
  const std::string_view module(name, len);
  const Result<std::vector<std::string>> functions = s.host.functions(module);
  if (!functions.ok()) return fail(L, functions.error().message);
  return push_proxy_protected(L, &s.host.call, module, functions.value(),
                              &cfunction<proxy_index_body>, &s);
}

}  // namespace

std::vector<std::string> segments_under(const ConsoleState& s, std::string_view prefix) {
  std::set<std::string> out;
  if (!s.host.module_names) return {};
  for (const std::string& m : s.host.module_names()) {
    std::string_view rest = m;
    if (!prefix.empty()) {
      if (rest.size() <= prefix.size() + 1 || rest.substr(0, prefix.size()) != prefix ||
          rest[prefix.size()] != '.') {
        continue;
      }
      rest.remove_prefix(prefix.size() + 1);
    }
    out.emplace(rest.substr(0, rest.find('.')));
  }
  return {out.begin(), out.end()};
}

void install_module_names(lua_State* L, ConsoleState& state) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
  lua_createtable(L, 0, 1);
  lua_pushlightuserdata(L, &state);
  lua_pushcclosure(L, &cfunction<global_index_body>, 1);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, -2);
  lua_pushlightuserdata(L, &state);
  lua_pushcclosure(L, &cfunction<console_import_body>, 1);
  lua_setfield(L, -2, "import");
  lua_pop(L, 1);
}

}  // namespace hotmod::script
