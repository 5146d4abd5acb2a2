// Keeping Lua errors and C++ objects apart.
//
// A Lua error is a longjmp (liblua is C): one that unwinds through a C++
// frame skips its destructors, and a C++ exception must never unwind through
// the interpreter's C frames. So every lua_CFunction here and every entry
// into an interpreter from the host follows two rules:
//  - code that may raise a Lua error (allocating, calling Lua, checking
//    arguments) keeps only trivially destructible locals: it runs inside
//    protect(), or at the start of a lua_CFunction before any C++ object
//    exists;
//  - code that holds C++ objects (strings, Values, host callbacks) calls only
//    API functions that cannot raise (raw reads, lua_next, pushing numbers,
//    booleans and light userdata) and reports a failure by returning kFailed
//    with the message on the stack; cfunction<> raises it once those frames
//    are gone.
// An interpreter error outside any lua_pcall would abort the process through
// the panic handler, so host-side code that allocates does it in protect().
#pragma once

#include <string>
#include <string_view>
#include <type_traits>

#include <lua.hpp>

namespace hotmod::script {

// What a body returns when it failed: the error message is on the stack top.
inline constexpr int kFailed = -1;

namespace detail {
template <class F>
int trampoline(lua_State* L) {
  F& fn = *static_cast<F*>(lua_touserdata(L, 1));
  lua_remove(L, 1);
  return fn(L);
}
}  // namespace detail

// Calls fn(L) under lua_pcall with the top `nargs` values as its arguments
// (at 1..nargs of its frame); fn returns how many results it pushed. A Lua
// error inside fn stops at this pcall instead of unwinding the caller's C++
// frames. Returns the lua_pcall status: LUA_OK with `nresults` results on the
// stack, else the error object on top. `msgh` is a message handler's absolute
// index, or 0. Needs 2 free stack slots (a lua_CFunction starts with 20).
template <class F>
int protect(lua_State* L, int nargs, int nresults, F& fn, int msgh = 0) {
  static_assert(std::is_nothrow_invocable_r_v<int, F&, lua_State*>,
                "a protected body must be noexcept: exceptions cannot cross Lua frames");
  lua_pushcfunction(L, &detail::trampoline<F>);
  lua_insert(L, -(nargs + 1));
  lua_pushlightuserdata(L, &fn);
  lua_insert(L, -(nargs + 1));
  return lua_pcall(L, nargs + 1, nresults, msgh);
}

// Pushes `message` and returns kFailed (a memory error pushes its own
// message instead).
int fail(lua_State* L, std::string_view message);

// Runs a lua_CFunction body that may hold C++ objects: a C++ exception from
// it becomes a failure with its what() as the message.
int run_body(lua_State* L, int (*body)(lua_State*)) noexcept;

// Raises the error object on the stack top; a string gets the position of
// the Lua code that called the running C function ("greeter.lua:4: ").
int raise_failure(lua_State* L);

// The lua_CFunction for `Body`: a failure is raised after Body's frame is
// gone, so no C++ destructor is skipped.
template <int (*Body)(lua_State*)>
int cfunction(lua_State* L) {
  const int n = run_body(L, Body);
  return n == kFailed ? raise_failure(L) : n;
}

// A __tostring metamethod answering its closure's first upvalue (a name
// fixed when the object was made).
inline int tostring_upvalue(lua_State* L) {
  lua_pushvalue(L, lua_upvalueindex(1));
  return 1;
}

// Restores the stack top when it goes out of scope (host-side entries).
class StackGuard {
 public:
  explicit StackGuard(lua_State* L) : L_(L), top_(lua_gettop(L)) {}
  ~StackGuard() { lua_settop(L_, top_); }
  StackGuard(const StackGuard&) = delete;
  StackGuard& operator=(const StackGuard&) = delete;
  int top() const { return top_; }

 private:
  lua_State* L_;
  int top_;
};

// The error object at `index` as text, without raising: a string as is,
// anything else as "(error object is a table value)".
std::string error_text(lua_State* L, int index);

// Pushes t[key] and returns true when the table at `t` has that key, found
// by walking it with lua_next: unlike lua_getfield it never allocates the key
// nor calls a metamethod, so it cannot raise. For small tables (metatables).
bool find_field(lua_State* L, int t, std::string_view key);

// Message handlers for lua_pcall. Both turn an error object that is not a
// string into one (its __tostring, else "(error object is a T value)");
// traceback_handler also appends the stack, as lua.c does.
int traceback_handler(lua_State* L);
int message_handler(lua_State* L);

// A traceback without the frames of the host's own C entry points
// ("[C]: in ?"), which say nothing to the script's author; without its
// "stack traceback:" header when no frame is left.
std::string trim_traceback(std::string_view message);

}  // namespace hotmod::script
