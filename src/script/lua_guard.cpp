#include "script/lua_guard.hpp"

#include <fmt/format.h>

#include <exception>

namespace hotmod::script {
namespace {

// lua.c's msghandler: the message on the stack top (the error object itself
// when it is a string or a number); null when its __tostring made it.
const char* message_of(lua_State* L) {
  const char* msg = lua_tostring(L, 1);
  if (msg != nullptr) return msg;
  if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) return nullptr;
  return lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
}

}  // namespace

int fail(lua_State* L, std::string_view message) {
  auto push = [message](lua_State* L2) noexcept {
    lua_pushlstring(L2, message.data(), message.size());
    return 1;
  };
  protect(L, 0, 1, push);
  return kFailed;
}

int run_body(lua_State* L, int (*body)(lua_State*)) noexcept {
  try {
    return body(L);
  } catch (const std::exception& e) {
    return fail(L, e.what());
  } catch (...) {
    return fail(L, "an unknown C++ exception");
  }
}

int raise_failure(lua_State* L) {
  if (lua_type(L, -1) == LUA_TSTRING) {
    luaL_where(L, 1);
    lua_insert(L, -2);
    lua_concat(L, 2);
  }
  return lua_error(L);
}

std::string error_text(lua_State* L, int index) {
  if (lua_type(L, index) == LUA_TSTRING) {
    std::size_t len = 0;
    const char* s = lua_tolstring(L, index, &len);
    return std::string(s, len);
  }
  return fmt::format("(error object is a {} value)", luaL_typename(L, index));
}

bool find_field(lua_State* L, int t, std::string_view key) {
  t = lua_absindex(L, t);
  lua_pushnil(L);
  while (lua_next(L, t) != 0) {
    if (lua_type(L, -2) == LUA_TSTRING) {
      std::size_t len = 0;
      const char* k = lua_tolstring(L, -2, &len);
      if (std::string_view(k, len) == key) {
        lua_remove(L, -2);
        return true;
      }
    }
    lua_pop(L, 1);
  }
  return false;
}

int traceback_handler(lua_State* L) {
  const char* msg = message_of(L);
  if (msg == nullptr) return 1;
  luaL_traceback(L, L, msg, 1);
  return 1;
}

int message_handler(lua_State* L) {
  message_of(L);  // the message is on top either way
  return 1;
}

std::string trim_traceback(std::string_view message) {
  std::string out;
  out.reserve(message.size());
  std::size_t at = 0;
  while (at < message.size()) {
    std::size_t end = message.find('\n', at);
    if (end == std::string_view::npos) end = message.size();
    const std::string_view line = message.substr(at, end - at);
    if (line != "\t[C]: in ?") {
      if (!out.empty()) out += '\n';
      out.append(line);
    }
    at = end + 1;
  }
  constexpr std::string_view header = "\nstack traceback:";
  if (out.size() >= header.size() &&
      out.compare(out.size() - header.size(), header.size(), header.data(), header.size()) == 0) {
    out.resize(out.size() - header.size());
  }
  return out;
}

}  // namespace hotmod::script
