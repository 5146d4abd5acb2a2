// A script module's interpreter: loading versions of its chunk, calling
// them, and measuring it. Every entry locks mu_ and restores the stack; all
// that allocates inside the interpreter runs under protect() (lua_guard.hpp).
#include "script/script_module.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>

#include <lua.hpp>

#include "script/lua_guard.hpp"
#include "script/lua_value.hpp"
#include "script/module_proxy.hpp"
#include "script/sandbox.hpp"
#include "script/script_inspect.hpp"
#include "script/state_snapshot.hpp"

namespace hotmod::script {

// Counts every byte the interpreter holds: Lua tells the allocator the old
// size of each block it frees or resizes, so the count is exact.
struct ScriptModule::Alloc {
  std::atomic<std::uint64_t> bytes{0};

  static void* allocate(void* ud, void* ptr, std::size_t osize, std::size_t nsize) {
    auto* self = static_cast<Alloc*>(ud);
    const std::size_t old = ptr != nullptr ? osize : 0;  // else osize is a type tag
    if (nsize == 0) {
      std::free(ptr);
      self->bytes.fetch_sub(old, std::memory_order_relaxed);
      return nullptr;
    }
    void* block = std::realloc(ptr, nsize);
    if (block == nullptr) return nullptr;  // Lua raises "not enough memory"
    self->bytes.fetch_add(nsize, std::memory_order_relaxed);
    self->bytes.fetch_sub(old, std::memory_order_relaxed);
    return block;
  }
};

namespace {

int panic(lua_State* L) {
  std::fprintf(stderr, "hotmod: Lua error outside a protected call: %s\n",
               error_text(L, -1).c_str());
  return 0;  // lua_error then aborts
}

std::string call_prefix(const std::string& module, std::string_view function) {
  return fmt::format("module '{}': {}: ", module, function);
}

const char* with_article(int type) {
  switch (type) {
    case LUA_TNIL:
      return "nil";
    case LUA_TBOOLEAN:
      return "a boolean";
    case LUA_TNUMBER:
      return "a number";
    case LUA_TSTRING:
      return "a string";
    case LUA_TFUNCTION:
      return "a function";
    case LUA_TUSERDATA:
    case LUA_TLIGHTUSERDATA:
      return "a userdata";
    case LUA_TTHREAD:
      return "a coroutine";
    default:
      return "nothing";
  }
}

void unref(lua_State* L, int& ref1, int& ref2) {
  auto drop = [&](lua_State* S) noexcept {
    luaL_unref(S, LUA_REGISTRYINDEX, ref1);
    luaL_unref(S, LUA_REGISTRYINDEX, ref2);
    return 0;
  };
  if (protect(L, 0, 0, drop) != LUA_OK) lua_pop(L, 1);
  ref1 = LUA_NOREF;
  ref2 = LUA_NOREF;
}

// A registry reference to a snapshot of the table at registry[state_ref],
// or 0 when there is no memory for it.
int take_snapshot(lua_State* L, int state_ref) {
  int ref = 0;
  auto take = [&ref, state_ref](lua_State* S) noexcept {
    lua_rawgeti(S, LUA_REGISTRYINDEX, state_ref);
    push_state_snapshot(S, -1);
    ref = luaL_ref(S, LUA_REGISTRYINDEX);
    return 0;
  };
  if (protect(L, 0, 0, take) != LUA_OK) {
    lua_pop(L, 1);
    return 0;
  }
  return ref;
}

// Restores (when `restore`) and frees the snapshot at `ref`; sets it to 0.
void end_snapshot(lua_State* L, int& ref, bool restore) {
  if (ref <= 0) return;
  auto end = [ref, restore](lua_State* S) noexcept {
    lua_rawgeti(S, LUA_REGISTRYINDEX, ref);
    if (restore && lua_istable(S, -1)) restore_state_snapshot(S, -1);
    luaL_unref(S, LUA_REGISTRYINDEX, ref);
    return 0;
  };
  if (protect(L, 0, 0, end) != LUA_OK) lua_pop(L, 1);
  ref = 0;
}

// Calls `function` of v with `args` under a traceback handler. `found` says
// whether it was there to call. The caller holds the module's lock.
Result<Value> invoke(lua_State* L, const std::string& module, const ScriptVersion& v,
                     std::string_view function, const Value& args, Stage stage, bool& found) {
  const Failure threw =
      stage == Stage::initialize ? Failure::on_load_threw : Failure::function_threw;
  StackGuard guard(L);
  if (!lua_checkstack(L, 8)) {
    return Error{stage, threw,
                 fmt::format("{}the Lua stack is exhausted", call_prefix(module, function))};
  }
  lua_pushcfunction(L, &traceback_handler);
  const int handler = lua_gettop(L);
  found = false;
  auto run = [&](lua_State* S) noexcept -> int {
    lua_rawgeti(S, LUA_REGISTRYINDEX, v.exports_ref);
    if (!lua_istable(S, -1)) return 0;  // released
    lua_pushlstring(S, function.data(), function.size());
    lua_rawget(S, -2);
    if (!lua_isfunction(S, -1)) return 0;
    found = true;
    int n = 0;
    if (args.is_array()) {
      const auto& list = args.get_ref<const Value::array_t&>();
      luaL_checkstack(S, static_cast<int>(list.size()) + 2, "too many arguments");
      for (const Value& a : list) push_value(S, a);
      n = static_cast<int>(list.size());
    }
    lua_call(S, n, 1);
    return 1;
  };
  if (protect(L, 0, 1, run, handler) != LUA_OK) {
    return Error{stage, threw, call_prefix(module, function) + trim_traceback(error_text(L, -1))};
  }
  std::string error;
  std::optional<Value> result = to_value(L, -1, "result", error);
  if (!result) return Error{stage, Failure::bad_result, call_prefix(module, function) + error};
  return std::move(*result);
}

}  // namespace

ScriptModule::ScriptModule(std::string name, ScriptHost host)
    : name_(std::move(name)), host_(std::move(host)), alloc_(std::make_unique<Alloc>()) {
  L_ = lua_newstate(&Alloc::allocate, alloc_.get());
  if (L_ == nullptr) throw std::bad_alloc();
  lua_atpanic(L_, &panic);
  int state_ref = LUA_NOREF;
  auto open = [&state_ref](lua_State* S) noexcept {
    open_sandbox_libraries(S);
    lua_newtable(S);
    state_ref = luaL_ref(S, LUA_REGISTRYINDEX);
    return 0;
  };
  if (protect(L_, 0, 0, open) != LUA_OK) {
    lua_close(L_);
    throw std::bad_alloc();
  }
  state_ref_ = state_ref;
}

ScriptModule::~ScriptModule() {
  lua_close(L_);
}

Result<std::shared_ptr<ScriptVersion>> ScriptModule::load(std::string_view source,
                                                          const std::string& chunk_name) {
  const bool io = host_.granted && host_.granted("lua:io");
  const bool os = host_.granted && host_.granted("lua:os");
  std::lock_guard lock(mu_);
  lua_State* L = L_;
  StackGuard guard(L);
  if (!lua_checkstack(L, 8))
    return Error{Stage::load, Failure::open_failed,
                 fmt::format("{}: the Lua stack is exhausted", chunk_name)};
  lua_pushcfunction(L, &traceback_handler);
  const int handler = lua_gettop(L);
  const std::string chunkname = "@" + chunk_name;
  if (luaL_loadbufferx(L, source.data(), source.size(), chunkname.c_str(), "t") != LUA_OK) {
    return Error{Stage::load, Failure::open_failed, error_text(L, -1)};
  }
  // Before the chunk runs: a failed load puts hotmod.state back from it.
  const int snapshot = take_snapshot(L, state_ref_);
  if (snapshot == 0)
    return Error{Stage::load, Failure::open_failed,
                 fmt::format("{}: not enough memory to snapshot hotmod.state", chunk_name)};
  const SandboxSpec spec{&host_, name_, state_ref_, io, os};
  int returned = LUA_TNONE;
  auto v = std::make_shared<ScriptVersion>();
  auto run = [&](lua_State* S) noexcept {
    push_sandbox_env(S, spec);  // 2; 1 is the chunk
    lua_pushvalue(S, 2);
    lua_setupvalue(S, 1, 1);  // a main chunk's one upvalue is _ENV
    lua_pushvalue(S, 1);
    lua_call(S, 0, 1);  // 3
    returned = lua_type(S, 3);
    if (returned != LUA_TTABLE) return 0;
    v->exports_ref = luaL_ref(S, LUA_REGISTRYINDEX);
    v->env_ref = luaL_ref(S, LUA_REGISTRYINDEX);
    return 0;
  };
  v->exports_ref = v->env_ref = LUA_NOREF;
  v->snapshot_ref = snapshot;
  // A failed load leaves nothing reachable and hotmod.state as it was.
  auto failed = [&](Error error) {
    unref(L, v->exports_ref, v->env_ref);
    end_snapshot(L, v->snapshot_ref, true);
    return error;
  };
  if (protect(L, 1, 0, run, handler) != LUA_OK) {
    return failed(
        Error{Stage::initialize, Failure::on_load_threw, trim_traceback(error_text(L, -1))});
  }
  if (returned != LUA_TTABLE) {
    return failed(Error{Stage::validate, Failure::no_descriptor,
                        fmt::format("{}: the chunk must return a table of functions, returned {}",
                                    chunk_name, with_article(returned))});
  }
  if (std::string problem = read_exports(L, *v); !problem.empty()) {
    return failed(
        Error{Stage::validate, Failure::no_descriptor, fmt::format("{}: {}", chunk_name, problem)});
  }
  lua_gc(L, LUA_GCSTEP, 0);  // a little of the previous version's garbage
  return v;
}

Result<Value> ScriptModule::run_hook(const ScriptVersion& v, std::string_view hook) {
  const bool present =
      (hook == "on_load" && v.has_on_load) || (hook == "on_unload" && v.has_on_unload);
  if (!present) return Value();
  std::lock_guard lock(mu_);
  bool found = false;
  const Stage stage = hook == "on_load" ? Stage::initialize : Stage::call;
  Result<Value> result = invoke(L_, name_, v, hook, Value::array(), stage, found);
  if (result.ok() && !found) return Value();
  return result;
}

Result<Value> ScriptModule::call(const ScriptVersion& v, std::string_view function,
                                 const Value& args) {
  if (!args.is_array() && !args.is_null()) {
    return Error{Stage::call, Failure::bad_arguments,
                 fmt::format("{}the arguments must be a JSON array, not {}",
                             call_prefix(name_, function), args.type_name())};
  }
  const auto at = std::lower_bound(
      v.functions.begin(), v.functions.end(), function,
      [](const ScriptFunction& f, std::string_view name) { return f.name < name; });
  if (at == v.functions.end() || at->name != function) {
    std::vector<std::string> names;
    for (const ScriptFunction& f : v.functions) names.push_back(f.name);
    return Error{Stage::call, Failure::unknown_function, no_such_function(name_, function, names)};
  }
  std::lock_guard lock(mu_);
  bool found = false;
  Result<Value> result = invoke(L_, name_, v, function, args, Stage::call, found);
  if (result.ok() && !found) {
    return Error{Stage::call, Failure::unknown_function,
                 fmt::format("{}the function is no longer in the module's table",
                             call_prefix(name_, function))};
  }
  return result;
}

void ScriptModule::release(ScriptVersion& v) {
  std::lock_guard lock(mu_);
  StackGuard guard(L_);
  if (!lua_checkstack(L_, 4)) return;
  unref(L_, v.exports_ref, v.env_ref);
  end_snapshot(L_, v.snapshot_ref, false);
}

void ScriptModule::restore_state(ScriptVersion& v) {
  std::lock_guard lock(mu_);
  StackGuard guard(L_);
  if (!lua_checkstack(L_, 4)) return;
  end_snapshot(L_, v.snapshot_ref, true);
}

void ScriptModule::drop_snapshot(ScriptVersion& v) {
  std::lock_guard lock(mu_);
  StackGuard guard(L_);
  if (!lua_checkstack(L_, 4)) return;
  end_snapshot(L_, v.snapshot_ref, false);
}

std::uint64_t ScriptModule::heap_bytes() const {
  return alloc_->bytes.load(std::memory_order_relaxed);
}

std::uint64_t ScriptModule::state_bytes() {
  std::lock_guard lock(mu_);
  StackGuard guard(L_);
  if (!lua_checkstack(L_, 8)) return 0;
  lua_rawgeti(L_, LUA_REGISTRYINDEX, state_ref_);
  return reachable_bytes(L_, -1);
}

}  // namespace hotmod::script
