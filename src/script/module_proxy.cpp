#include "script/module_proxy.hpp"

#include <fmt/format.h>

#include <optional>

#include <lua.hpp>

#include "script/lua_guard.hpp"
#include "script/lua_value.hpp"
#include "text/suggest.hpp"

namespace hotmod::script {
namespace {

std::string_view upvalue_text(lua_State* L, int n) {
  std::size_t len = 0;
  const char* s = lua_tolstring(L, lua_upvalueindex(n), &len);
  return {s, len};
}

// The CallFunction a C closure keeps as light userdata in upvalue `n`;
// null when that upvalue is anything else. Upvalues of C closures are out
// of scripts' reach (there is no debug library), unlike metatable fields.
const CallFunction* call_upvalue(lua_State* L, int n) {
  if (!lua_islightuserdata(L, lua_upvalueindex(n))) return nullptr;
  return static_cast<const CallFunction*>(lua_touserdata(L, lua_upvalueindex(n)));
}

// A proxy function: upvalues (call, module, function, proxy).
int call_body(lua_State* L) {
  const CallFunction* call = call_upvalue(L, 1);
  const std::string_view module = upvalue_text(L, 2);
  const std::string_view function = upvalue_text(L, 3);
  // m:f(x) passes the proxy first; it is not an argument of f.
  const int first = lua_gettop(L) >= 1 && lua_rawequal(L, 1, lua_upvalueindex(4)) ? 2 : 1;
  std::string error;
  std::optional<Value> args = args_to_value(L, first, error);
  if (!args) {
    return fail(L, fmt::format("{}.{}: {}", module, function, error));
  }
  if (call == nullptr || !*call) return fail(L, "calls to other modules are not available here");
  const Result<Value> result = (*call)(module, function, *args);
  if (!result.ok()) return fail(L, result.error().message);
  const Value& value = result.value();
  auto push = [&value](lua_State* L2) noexcept {
    push_value(L2, value);
    return 1;
  };
  return protect(L, 0, 1, push) == LUA_OK ? 1 : kFailed;
}

}  // namespace

void push_proxy_function(lua_State* L, const CallFunction* call, std::string_view module,
                         std::string_view function, int proxy) {
  proxy = lua_absindex(L, proxy);
  luaL_checkstack(L, 6, nullptr);
  lua_pushlstring(L, function.data(), function.size());
  lua_pushlightuserdata(L, const_cast<CallFunction*>(call));
  lua_pushlstring(L, module.data(), module.size());
  lua_pushvalue(L, -3);
  lua_pushvalue(L, proxy);
  lua_pushcclosure(L, &cfunction<call_body>, 4);
  lua_rawset(L, proxy);
}

void push_proxy(lua_State* L, const CallFunction* call, std::string_view module,
                const std::vector<std::string>& functions, int (*resolve)(lua_State*), void* data) {
  luaL_checkstack(L, 6, nullptr);
  lua_createtable(L, 0, static_cast<int>(functions.size()));
  const int proxy = lua_gettop(L);
  for (const std::string& f : functions) push_proxy_function(L, call, module, f, proxy);

  lua_createtable(L, 0, 6);
  lua_pushliteral(L, "locked");  // getmetatable(proxy) gives this, not the metatable
  lua_setfield(L, -2, "__metatable");
  lua_pushliteral(L, "module '");
  lua_pushlstring(L, module.data(), module.size());
  lua_pushliteral(L, "'");
  lua_concat(L, 3);
  lua_pushvalue(L, -1);
  lua_setfield(L, -3, "__name");
  lua_pushcclosure(L, &tostring_upvalue, 1);
  lua_setfield(L, -2, "__tostring");
  lua_pushlstring(L, module.data(), module.size());
  lua_setfield(L, -2, kModuleField.data());
  lua_pushlightuserdata(L, data);
  lua_pushlstring(L, module.data(), module.size());
  lua_pushlightuserdata(L, const_cast<CallFunction*>(call));
  lua_pushcclosure(L, resolve, 3);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, proxy);
}

const CallFunction* resolver_call(lua_State* L) {
  return call_upvalue(L, 3);
}

std::string no_such_function(std::string_view module, std::string_view function,
                             const std::vector<std::string>& functions) {
  std::string m = fmt::format("module '{}' has no function '{}'", module, function);
  if (std::string near = text::did_you_mean(function, functions); !near.empty()) {
    m += fmt::format(" (did you mean '{}'?)", near);
  }
  if (functions.empty()) return fmt::format("{}; it exports no functions", m);
  m += "; it exports: ";
  for (std::size_t i = 0; i < functions.size(); ++i) {
    if (i > 0) m += ", ";
    m += functions[i];
  }
  return m;
}

int push_proxy_protected(lua_State* L, const CallFunction* call, std::string_view module,
                         const std::vector<std::string>& functions, int (*resolve)(lua_State*),
                         void* data) {
  auto push = [&](lua_State* L2) noexcept {
    push_proxy(L2, call, module, functions, resolve, data);
    return 1;
  };
  return protect(L, 0, 1, push) == LUA_OK ? 1 : kFailed;
}

int add_function_protected(lua_State* L, int proxy, std::string_view module,
                           std::string_view function) {
  const CallFunction* call = resolver_call(L);
  lua_pushvalue(L, proxy);
  auto add = [&](lua_State* L2) noexcept {
    push_proxy_function(L2, call, module, function, 1);
    lua_pushlstring(L2, function.data(), function.size());
    lua_rawget(L2, 1);
    return 1;
  };
  return protect(L, 1, 1, add) == LUA_OK ? 1 : kFailed;
}

}  // namespace hotmod::script
