// Module proxies: the Lua tables through which scripts (hotmod.import) and
// the console reach other modules.
//
// A proxy's fields are functions that convert their arguments to a JSON
// array and call the host at call time, so they always reach the module's
// current version; `m:f(x)` works like `m.f(x)`. Names the proxy has not
// seen go to a resolver the caller supplies (its metatable's __index), which
// asks the host again: a reload may have added functions.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "hotmod/value.hpp"

struct lua_State;

namespace hotmod::script {

using CallFunction = std::function<Result<Value>(std::string_view module, std::string_view function,
                                                 const Value& args)>;

// The metatable field that holds a proxy's module name.
inline constexpr std::string_view kModuleField = "__hotmod_module";

// Pushes a proxy for `module` with one function per name in `functions`.
// Its metatable: __index = a closure of `resolve` with upvalues (`data` as
// light userdata, the module name, `call` as light userdata), __name
// "module 'NAME'", a __tostring saying the same, kModuleField, and
// __metatable, so that getmetatable() in Lua does not give it out (nor its
// __index to call with a table of the script's making). The C++ pointers
// are only in upvalues, which scripts cannot reach. `call` and `data` must
// outlive the lua_State.
// Raises on memory errors: call inside protect().
void push_proxy(lua_State* L, const CallFunction* call, std::string_view module,
                const std::vector<std::string>& functions, int (*resolve)(lua_State*), void* data);

// Pushes one proxy function and stores it in the proxy at `proxy` under
// `function`. Raises on memory errors: call inside protect().
void push_proxy_function(lua_State* L, const CallFunction* call, std::string_view module,
                         std::string_view function, int proxy);

// In a resolver's body (the `resolve` given to push_proxy): the
// CallFunction of the proxies it resolves for, from its upvalue; null when
// the running function has no such upvalue. Never raises.
const CallFunction* resolver_call(lua_State* L);

// "module 'm' has no function 'x' (did you mean 'y'?); it exports: a, b".
std::string no_such_function(std::string_view module, std::string_view function,
                             const std::vector<std::string>& functions);

// For a lua_CFunction body holding C++ objects: runs push_proxy in
// protect() and returns 1, or kFailed.
int push_proxy_protected(lua_State* L, const CallFunction* call, std::string_view module,
                         const std::vector<std::string>& functions, int (*resolve)(lua_State*),
                         void* data);

// For a resolver body: stores a new proxy function for `function` (calling
// through resolver_call()) in the proxy at `proxy` and pushes it; returns
// 1, or kFailed.
int add_function_protected(lua_State* L, int proxy, std::string_view module,
                           std::string_view function);

}  // namespace hotmod::script
