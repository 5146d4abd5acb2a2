#include "script/sandbox.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include <lua.hpp>

#include "script/lua_guard.hpp"
#include "script/lua_value.hpp"
#include "script/module_proxy.hpp"

namespace hotmod::script {
namespace {

constexpr const char* kBaseFunctions[] = {
    "assert",   "collectgarbage", "error",  "getmetatable", "ipairs",  "next",   "pairs",
    "pcall",    "rawequal",       "rawget", "rawlen",       "rawset",  "select", "setmetatable",
    "tonumber", "tostring",       "type",   "xpcall",       "_VERSION"};
constexpr const char* kLibraries[] = {LUA_STRLIBNAME, LUA_TABLIBNAME, LUA_MATHLIBNAME,
                                      LUA_UTF8LIBNAME, LUA_COLIBNAME};

const ScriptHost& host_of(lua_State* L) {
  return *static_cast<const ScriptHost*>(lua_touserdata(L, lua_upvalueindex(1)));
}

void log_to_host(const ScriptHost& host, LogLevel level, std::string_view text) {
  if (host.log) host.log(level, text);
}

// Arguments converted by luaL_tolstring (so __tostring applies), joined.
// The conversions come first: they may raise, and no C++ object exists yet.
int log_arguments(lua_State* L, LogLevel level, const char* separator) {
  const int n = lua_gettop(L);
  luaL_checkstack(L, n, "too many arguments");
  for (int i = 1; i <= n; ++i) luaL_tolstring(L, i, nullptr);
  std::string line;
  for (int i = 1; i <= n; ++i) {
    if (i > 1) line += separator;
    std::size_t len = 0;
    const char* s = lua_tolstring(L, n + i, &len);
    line.append(s, len);
  }
  log_to_host(host_of(L), level, line);
  return 0;
}

int print_body(lua_State* L) {
  return log_arguments(L, LogLevel::info, "\t");
}

// Lua's warn concatenates its arguments; "@on" / "@off" control messages
// are for lua.c's warning switch and are dropped.
int warn_body(lua_State* L) {
  const int n = lua_gettop(L);
  luaL_checkstring(L, 1);
  for (int i = 2; i <= n; ++i) luaL_checkstring(L, i);
  if (n == 1 && lua_tostring(L, 1)[0] == '@') return 0;
  return log_arguments(L, LogLevel::warn, "");
}

// hotmod.log(level, text)
int log_body(lua_State* L) {
  static constexpr const char* kLevels[] = {"trace", "debug", "info", "warn", "error", nullptr};
  static constexpr LogLevel kValues[] = {LogLevel::trace, LogLevel::debug, LogLevel::info,
                                         LogLevel::warn, LogLevel::error};
  const int level = luaL_checkoption(L, 1, nullptr, kLevels);
  std::size_t len = 0;
  const char* text = luaL_tolstring(L, 2, &len);
  log_to_host(host_of(L), kValues[level], std::string_view(text, len));
  return 0;
}

// hotmod.has_capability(name)
int has_capability_body(lua_State* L) {
  std::size_t len = 0;
  const char* name = luaL_checklstring(L, 1, &len);
  const ScriptHost& host = host_of(L);
  const bool granted = host.granted && host.granted(std::string_view(name, len));
  lua_pushboolean(L, granted ? 1 : 0);
  return 1;
}

// A proxy's __index for a name it has not seen: the module may have gained
// the function in a reload; else the error lists what it exports.
int resolve_body(lua_State* L) {
  if (lua_type(L, 2) != LUA_TSTRING) return 0;
  const ScriptHost& host = host_of(L);
  std::size_t mlen = 0, flen = 0;
  const char* m = lua_tolstring(L, lua_upvalueindex(2), &mlen);
  const char* f = lua_tolstring(L, 2, &flen);
  const std::string_view module(m, mlen), function(f, flen);
  if (!host.import) return fail(L, "hotmod.import is not available here");
  const Result<std::vector<std::string>> functions = host.import(module);
  if (!functions.ok()) return fail(L, functions.error().message);
  const auto& names = functions.value();
  if (std::find(names.begin(), names.end(), function) == names.end()) {
    return fail(L, no_such_function(module, function, names));
  }
  return add_function_protected(L, 1, module, function);
}

// hotmod.import(name)
int hotmod_import_body(lua_State* L) {
  std::size_t len = 0;
  const char* name = luaL_checklstring(L, 1, &len);
  const ScriptHost& host = host_of(L);
  if (!host.import) return fail(L, "hotmod.import is not available here");
  const std::string_view module(name, len);
  const Result<std::vector<std::string>> functions = host.import(module);
  if (!functions.ok()) return fail(L, functions.error().message);
  return push_proxy_protected(L, &host.call, module, functions.value(), &cfunction<resolve_body>,
                              const_cast<ScriptHost*>(&host));
}

// load(chunk [, chunkname [, mode [, env]]]): base load, text mode only,
// the sandbox (upvalue 2) as the default env. Upvalue 1: base load.
int sandbox_load(lua_State* L) {
  const int n = lua_gettop(L);
  lua_settop(L, 4);
  lua_pushliteral(L, "t");
  lua_replace(L, 3);
  if (n < 4) {
    lua_pushvalue(L, lua_upvalueindex(2));
    lua_replace(L, 4);
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, 4, LUA_MULTRET);
  return lua_gettop(L);
}

// __index of a library the module was not granted. Upvalues: module,
// library, capability.
int capability_guard(lua_State* L) {
  const char* module = lua_tostring(L, lua_upvalueindex(1));
  const char* library = lua_tostring(L, lua_upvalueindex(2));
  const char* capability = lua_tostring(L, lua_upvalueindex(3));
  const char* key = luaL_tolstring(L, 2, nullptr);
  return luaL_error(L,
                    "module '%s' needs capability '%s' to use %s.%s; grant it in hotmod.json: "
                    "\"capabilities\": {\"%s\": [\"%s\"]}",
                    module, capability, library, key, module, capability);
}

// A library function a module may not call: upvalues module, "io.popen",
// and the capability it needs (nil: never, os.exit ending the host).
int refused_call(lua_State* L) {
  const char* module = lua_tostring(L, lua_upvalueindex(1));
  const char* function = lua_tostring(L, lua_upvalueindex(2));
  const char* capability = lua_tostring(L, lua_upvalueindex(3));
  if (capability == nullptr)
    return luaL_error(L,
                      "module '%s' may not call %s: it would end the host program; raise an "
                      "error (error(...)) to fail the call instead",
                      module, function);
  return luaL_error(L,
                    "module '%s' needs capability '%s' to use %s, which runs a command; grant it "
                    "in hotmod.json: \"capabilities\": {\"%s\": [\"%s\"]}",
                    module, capability, function, module, capability);
}

// env[library][field] = a function refusing to run (see refused_call).
void refuse(lua_State* L, int env, std::string_view module, const char* library, const char* field,
            const char* capability) {
  lua_getfield(L, env, library);
  lua_pushlstring(L, module.data(), module.size());
  lua_pushfstring(L, "%s.%s", library, field);
  if (capability != nullptr)
    lua_pushstring(L, capability);
  else
    lua_pushnil(L);
  lua_pushcclosure(L, &refused_call, 3);
  lua_setfield(L, -2, field);
  lua_pop(L, 1);
}

// env[name] = a shallow copy of the library `name` from the globals at `g`.
void copy_library(lua_State* L, int env, int g, const char* name) {
  lua_getfield(L, g, name);
  const int lib = lua_gettop(L);
  lua_createtable(L, 0, 32);
  lua_pushnil(L);
  while (lua_next(L, lib) != 0) {
    lua_pushvalue(L, -2);
    lua_insert(L, -2);
    lua_rawset(L, -4);
  }
  lua_setfield(L, env, name);
  lua_pop(L, 1);
}

void guard_library(lua_State* L, int env, std::string_view module, const char* name,
                   const char* capability) {
  lua_createtable(L, 0, 0);
  lua_createtable(L, 0, 1);
  lua_pushlstring(L, module.data(), module.size());
  lua_pushstring(L, name);
  lua_pushstring(L, capability);
  lua_pushcclosure(L, &capability_guard, 3);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, -2);
  lua_setfield(L, env, name);
}

void push_hotmod_table(lua_State* L, const SandboxSpec& spec) {
  void* host = const_cast<ScriptHost*>(spec.host);
  lua_createtable(L, 0, 6);
  lua_rawgeti(L, LUA_REGISTRYINDEX, spec.state_ref);
  lua_setfield(L, -2, "state");
  lua_pushlightuserdata(L, host);
  lua_pushcclosure(L, &cfunction<hotmod_import_body>, 1);
  lua_setfield(L, -2, "import");
  lua_pushlightuserdata(L, host);
  lua_pushcclosure(L, &cfunction<log_body>, 1);
  lua_setfield(L, -2, "log");
  lua_pushlightuserdata(L, host);
  lua_pushcclosure(L, &cfunction<has_capability_body>, 1);
  lua_setfield(L, -2, "has_capability");
  if (spec.host->config.is_null()) {
    lua_createtable(L, 0, 0);
  } else {
    push_value(L, spec.host->config);
  }
  lua_setfield(L, -2, "config");
  lua_pushlstring(L, spec.module.data(), spec.module.size());
  lua_setfield(L, -2, "name");
}

}  // namespace

void open_sandbox_libraries(lua_State* L) {
  static constexpr luaL_Reg kOpen[] = {
      {LUA_GNAME, luaopen_base},       {LUA_STRLIBNAME, luaopen_string},
      {LUA_TABLIBNAME, luaopen_table}, {LUA_MATHLIBNAME, luaopen_math},
      {LUA_UTF8LIBNAME, luaopen_utf8}, {LUA_COLIBNAME, luaopen_coroutine},
      {LUA_IOLIBNAME, luaopen_io},     {LUA_OSLIBNAME, luaopen_os}};
  for (const luaL_Reg& lib : kOpen) {
    luaL_requiref(L, lib.name, lib.func, 1);
    lua_pop(L, 1);
  }
}

void push_sandbox_env(lua_State* L, const SandboxSpec& spec) {
  luaL_checkstack(L, 10, nullptr);
  lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
  const int g = lua_gettop(L);
  lua_createtable(L, 0, 40);
  const int env = lua_gettop(L);
  for (const char* name : kBaseFunctions) {
    lua_getfield(L, g, name);
    lua_setfield(L, env, name);
  }
  lua_pushvalue(L, env);
  lua_setfield(L, env, LUA_GNAME);

  void* host = const_cast<ScriptHost*>(spec.host);
  lua_pushlightuserdata(L, host);
  lua_pushcclosure(L, &cfunction<print_body>, 1);
  lua_setfield(L, env, "print");
  lua_pushlightuserdata(L, host);
  lua_pushcclosure(L, &cfunction<warn_body>, 1);
  lua_setfield(L, env, "warn");
  lua_getfield(L, g, "load");
  lua_pushvalue(L, env);
  lua_pushcclosure(L, &sandbox_load, 2);
  lua_setfield(L, env, "load");

  for (const char* name : kLibraries) copy_library(L, env, g, name);
  if (spec.io) {
    copy_library(L, env, g, LUA_IOLIBNAME);
    if (!spec.exec) refuse(L, env, spec.module, LUA_IOLIBNAME, "popen", "lua:exec");
  } else {
    guard_library(L, env, spec.module, LUA_IOLIBNAME, "lua:io");
  }
  if (spec.os) {
    copy_library(L, env, g, LUA_OSLIBNAME);
    refuse(L, env, spec.module, LUA_OSLIBNAME, "exit", nullptr);
    if (!spec.exec) refuse(L, env, spec.module, LUA_OSLIBNAME, "execute", "lua:exec");
  } else {
    guard_library(L, env, spec.module, LUA_OSLIBNAME, "lua:os");
  }

  push_hotmod_table(L, spec);
  lua_setfield(L, env, "hotmod");
  lua_remove(L, g);
}

}  // namespace hotmod::script
