// The console's interpreter: one lua_State for as long as the Console
// lives, evaluating chunks the way lua.c does.
#include "script/console.hpp"

#include <atomic>
#include <new>

#include <lua.hpp>

#include "script/console_names.hpp"
#include "script/literal.hpp"
#include "script/lua_guard.hpp"

namespace hotmod::script {
namespace {

constexpr luaL_Reg kConsoleLibraries[] = {
    {LUA_STRLIBNAME, luaopen_string},   {LUA_TABLIBNAME, luaopen_table},
    {LUA_MATHLIBNAME, luaopen_math},    {LUA_UTF8LIBNAME, luaopen_utf8},
    {LUA_COLIBNAME, luaopen_coroutine}, {LUA_IOLIBNAME, luaopen_io},
    {LUA_OSLIBNAME, luaopen_os}};

void write(const ConsoleState& s, std::string_view text) {
  if (s.host.write) s.host.write(text);
}

// print(...): like Lua's, through host.write. The conversions (which may
// raise, through __tostring) come before any C++ object exists.
int console_print_body(lua_State* L) {
  const int n = lua_gettop(L);
  luaL_checkstack(L, n, "too many arguments to print");
  for (int i = 1; i <= n; ++i) luaL_tolstring(L, i, nullptr);
  const auto& s = *static_cast<const ConsoleState*>(lua_touserdata(L, lua_upvalueindex(1)));
  std::string line;
  for (int i = 1; i <= n; ++i) {
    if (i > 1) line += '\t';
    std::size_t len = 0;
    const char* text = lua_tolstring(L, n + i, &len);
    line.append(text, len);
  }
  line += '\n';
  write(s, line);
  return 0;
}

// Base library without dofile/loadfile; the other libraries in a registry
// table (console_names.hpp says why); print, import and module globals.
void open_console(lua_State* L, ConsoleState& state) {
  luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
  lua_pop(L, 1);
  lua_pushnil(L);
  lua_setglobal(L, "dofile");
  lua_pushnil(L);
  lua_setglobal(L, "loadfile");
  lua_pushlightuserdata(L, &state);
  lua_pushcclosure(L, &cfunction<console_print_body>, 1);
  lua_setglobal(L, "print");
  lua_createtable(L, 0, 8);
  for (const luaL_Reg& lib : kConsoleLibraries) {
    luaL_requiref(L, lib.name, lib.func, 0);
    lua_setfield(L, -2, lib.name);
  }
  state.libraries_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  install_module_names(L, state);
}

bool ends_with(std::string_view text, std::string_view tail) {
  return text.size() >= tail.size() && text.substr(text.size() - tail.size()) == tail;
}

// Values with a __tostring metamethod become its result, as print shows
// them; a failing __tostring leaves the value as it is.
void apply_tostring(lua_State* L, int first, int last) {
  for (int i = first; i <= last; ++i) {
    if (!lua_getmetatable(L, i)) continue;
    const bool has = find_field(L, -1, "__tostring");
    lua_pop(L, has ? 2 : 1);
    if (!has) continue;
    lua_pushvalue(L, i);
    auto convert = [](lua_State* S) noexcept {
      luaL_tolstring(S, 1, nullptr);
      return 1;
    };
    if (protect(L, 1, 1, convert) == LUA_OK) {
      lua_replace(L, i);
    } else {
      lua_pop(L, 1);
    }
  }
}

// lua.c's lstop: the hook interrupt() sets, once.
void stop_hook(lua_State* L, lua_Debug*) {
  lua_sethook(L, nullptr, 0, 0);
  luaL_error(L, "interrupted!");
}

void disarm(lua_State* L) {
  lua_sethook(L, nullptr, 0, 0);
}

}  // namespace

struct Console::Impl {
  ConsoleState state;
  std::atomic<bool> evaluating{false};  // interrupt() arms the hook only then
  static_assert(std::atomic<bool>::is_always_lock_free, "read from a signal handler");
};

Console::Console(ConsoleHost host) : impl_(std::make_unique<Impl>()) {
  ConsoleState& s = impl_->state;
  s.host = std::move(host);
  s.L = luaL_newstate();
  if (s.L == nullptr) throw std::bad_alloc();
  auto open = [&s](lua_State* L) noexcept {
    open_console(L, s);
    return 0;
  };
  if (protect(s.L, 0, 0, open) != LUA_OK) {
    lua_close(s.L);
    throw std::bad_alloc();
  }
}

Console::~Console() {
  lua_close(impl_->state.L);
}

// While eval() runs, interrupt() may arm the hook. One that comes as an
// evaluation ends (after reading `evaluating`, before arming) arms it late:
// the next eval() or complete() disarms it before running anything.
class Console::Evaluating {
 public:
  explicit Evaluating(Impl& impl) : impl_(impl) {
    disarm(impl_.state.L);
    impl_.evaluating.store(true);
  }
  ~Evaluating() {
    impl_.evaluating.store(false);
    disarm(impl_.state.L);
  }
  Evaluating(const Evaluating&) = delete;
  Evaluating& operator=(const Evaluating&) = delete;

 private:
  Impl& impl_;
};

bool Console::interrupt() noexcept {
  if (!impl_->evaluating.load()) return false;
  lua_sethook(impl_->state.L, &stop_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT,
              1);
  return true;
}

Console::Outcome Console::eval(std::string_view chunk) {
  ConsoleState& s = impl_->state;
  lua_State* L = s.L;
  StackGuard guard(L);
  const Evaluating evaluating(*impl_);
  if (!lua_checkstack(L, 8)) return {Status::error, "the Lua stack is exhausted"};
  lua_pushcfunction(L, &message_handler);
  const int handler = lua_gettop(L);
  // As lua.c: the line as an expression first, then as statements.
  const std::string expression = "return " + std::string(chunk);
  if (luaL_loadbufferx(L, expression.data(), expression.size(), "=stdin", "t") != LUA_OK) {
    lua_pop(L, 1);
    const int status = luaL_loadbufferx(L, chunk.data(), chunk.size(), "=stdin", "t");
    if (status != LUA_OK) {
      std::string message = error_text(L, -1);
      if (status == LUA_ERRSYNTAX && ends_with(message, "<eof>")) return {Status::incomplete, ""};
      return {Status::error, std::move(message)};
    }
  }
  auto run = [](lua_State* S) noexcept {
    lua_call(S, 0, LUA_MULTRET);
    return lua_gettop(S);
  };
  if (protect(L, 1, LUA_MULTRET, run, handler) != LUA_OK) {
    return {Status::error, error_text(L, -1)};
  }
  const int last = lua_gettop(L);
  if (last == handler) return {};
  if (!lua_checkstack(L, 4)) return {Status::error, "the Lua stack is exhausted"};
  apply_tostring(L, handler + 1, last);
  std::string line;
  for (int i = handler + 1; i <= last; ++i) {
    if (i > handler + 1) line += '\t';
    line += format_lua_value(L, i);
  }
  line += '\n';
  write(s, line);
  return {};
}

std::vector<std::string> Console::complete(std::string_view line) {
  disarm(impl_->state.L);
  return complete_names(impl_->state, line);
}

}  // namespace hotmod::script
