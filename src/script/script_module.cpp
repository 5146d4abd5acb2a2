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
// While `enforce` (the module's own code runs), it refuses to grow past
// `limit` (Lua then collects its garbage and tries again before raising
// "not enough memory") and says so in `refused`. hotmod's own bookkeeping
// (snapshots of hotmod.state, releasing a version) is never refused.
struct ScriptModule::Alloc {
  std::atomic<std::uint64_t> bytes{0};
  std::uint64_t limit = 0;
  bool enforce = false;                    // guarded by the module's lock, like refused
  bool refused = false;                    // since the last call in
  ScriptModule::Budget* budget = nullptr;  // what count_hook finds through the state

  static void* allocate(void* ud, void* ptr, std::size_t osize, std::size_t nsize) {
    auto* self = static_cast<Alloc*>(ud);
    const std::size_t old = ptr != nullptr ? osize : 0;  // else osize is a type tag
    if (nsize == 0) {
      std::free(ptr);
      self->bytes.fetch_sub(old, std::memory_order_relaxed);
      return nullptr;
    }
    if (self->enforce && self->limit != 0 && nsize > old &&
        self->bytes.load(std::memory_order_relaxed) + (nsize - old) > self->limit) {
      self->refused = true;
      return nullptr;
    }
    void* block = std::realloc(ptr, nsize);
    if (block == nullptr) return nullptr;  // Lua raises "not enough memory"
    self->bytes.fetch_add(nsize, std::memory_order_relaxed);
    self->bytes.fetch_sub(old, std::memory_order_relaxed);
    return block;
  }
};

// Called every `Budget::every` instructions. Past the budget, the running
// Lua code gets an error, and again at every instruction after: a pcall
// that catches it cannot keep the loop around it going.
constexpr std::uint64_t kHookEvery = 10'000;

void count_hook(lua_State* L, lua_Debug*) {
  void* alloc = nullptr;
  lua_getallocf(L, &alloc);
  ScriptModule::Budget& b = *static_cast<ScriptModule::Alloc*>(alloc)->budget;
  b.executed += b.every;
  if (b.limit == 0 || b.executed <= b.limit) return;
  b.exceeded = true;
  if (b.every != 1) {
    b.every = 1;
    lua_sethook(L, &count_hook, LUA_MASKCOUNT, 1);
  }
  luaL_error(L, "ran more than %I instructions without returning",
             static_cast<lua_Integer>(b.limit));
}

// One call in from the host: the outermost resets the budget and turns the
// memory limit on until it returns.
class ScriptModule::Entry {
 public:
  explicit Entry(ScriptModule& m) : m_(m) {
    if (m_.budget_.depth++ != 0) return;
    Budget& b = m_.budget_;
    b.executed = 0;
    b.exceeded = false;
    if (b.limit != 0) {
      b.every = std::min(kHookEvery, b.limit);
      lua_sethook(m_.L_, &count_hook, LUA_MASKCOUNT, static_cast<int>(b.every));
    }
    m_.alloc_->refused = false;
    m_.alloc_->enforce = true;
  }
  ~Entry() {
    if (--m_.budget_.depth != 0) return;
    m_.alloc_->enforce = false;
    // What a call stopped at the limit left behind goes now, not at the
    // next collection: the next call has the whole limit again.
    if (m_.alloc_->refused) lua_gc(m_.L_, LUA_GCCOLLECT);
  }
  Entry(const Entry&) = delete;
  Entry& operator=(const Entry&) = delete;

 private:
  ScriptModule& m_;
};

// hotmod's own work inside a call (snapshots, undoing a failed load): not
// the module's memory to refuse.
class ScriptModule::Bookkeeping {
 public:
  explicit Bookkeeping(Alloc& a) : a_(a), was_(a.enforce) { a_.enforce = false; }
  ~Bookkeeping() { a_.enforce = was_; }
  Bookkeeping(const Bookkeeping&) = delete;
  Bookkeeping& operator=(const Bookkeeping&) = delete;

 private:
  Alloc& a_;
  bool was_;
};

std::string ScriptModule::over_limit(std::string_view prefix, int status) const {
  if (budget_.exceeded)
    return fmt::format(
        "{}ran more than {} Lua instructions without returning, its limit; is it stuck in a "
        "loop? (limits.script_instructions in hotmod.json raises it)",
        prefix, budget_.limit);
  // A refusal is raised as LUA_ERRMEM by the core, as a plain error by the
  // auxiliary library's buffers (string.rep, table.concat).
  if (alloc_->refused && status != LUA_OK)
    return fmt::format(
        "{}its interpreter would hold more than {} MB, its limit (limits.script_memory_mb in "
        "hotmod.json raises it)",
        prefix, alloc_->limit >> 20);
  return {};
}

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
// `status`: what protect() said of the run (LUA_ERRMEM: out of memory).
Result<Value> invoke(lua_State* L, const std::string& module, const ScriptVersion& v,
                     std::string_view function, const Value& args, Stage stage, bool& found,
                     int& status) {
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
  status = protect(L, 0, 1, run, handler);
  if (status != LUA_OK) {
    return Error{stage, threw, call_prefix(module, function) + trim_traceback(error_text(L, -1))};
  }
  std::string error;
  std::optional<Value> result = to_value(L, -1, "result", error);
  if (!result) return Error{stage, Failure::bad_result, call_prefix(module, function) + error};
  return std::move(*result);
}

}  // namespace

ScriptModule::ScriptModule(std::string name, ScriptHost host, ScriptLimits limits)
    : name_(std::move(name)), host_(std::move(host)), alloc_(std::make_unique<Alloc>()) {
  L_ = lua_newstate(&Alloc::allocate, alloc_.get());
  if (L_ == nullptr) throw std::bad_alloc();
  lua_atpanic(L_, &panic);
  alloc_->limit = limits.memory_bytes;
  budget_.limit = limits.instructions;
  alloc_->budget = &budget_;
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
  const bool exec = host_.granted && host_.granted("lua:exec");
  std::lock_guard lock(mu_);
  Entry entry(*this);
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
  const int snapshot = [&] {
    Bookkeeping ours(*alloc_);
    return take_snapshot(L, state_ref_);
  }();
  if (snapshot == 0)
    return Error{Stage::load, Failure::open_failed,
                 fmt::format("{}: not enough memory to snapshot hotmod.state", chunk_name)};
  const SandboxSpec spec{&host_, name_, state_ref_, io, os, exec};
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
    Bookkeeping ours(*alloc_);
    unref(L, v->exports_ref, v->env_ref);
    end_snapshot(L, v->snapshot_ref, true);
    return error;
  };
  if (const int status = protect(L, 1, 0, run, handler); status != LUA_OK) {
    if (std::string limit = over_limit(fmt::format("{}: ", chunk_name), status); !limit.empty())
      return failed(Error{Stage::initialize, Failure::timed_out, std::move(limit)});
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
  Entry entry(*this);
  bool found = false;
  const Stage stage = hook == "on_load" ? Stage::initialize : Stage::call;
  int status = LUA_OK;
  Result<Value> result = invoke(L_, name_, v, hook, Value::array(), stage, found, status);
  if (!result.ok())
    if (std::string limit = over_limit(call_prefix(name_, hook), status); !limit.empty())
      return Error{stage, Failure::timed_out, std::move(limit)};
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
  Entry entry(*this);
  bool found = false;
  int status = LUA_OK;
  Result<Value> result = invoke(L_, name_, v, function, args, Stage::call, found, status);
  if (!result.ok())
    if (std::string limit = over_limit(call_prefix(name_, function), status); !limit.empty())
      return Error{Stage::call, Failure::timed_out, std::move(limit)};
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
