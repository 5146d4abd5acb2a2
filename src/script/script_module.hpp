// Script modules: `name.lua` files whose chunk returns a table of functions.
//
//   -- greeter.lua
//   local strings = hotmod.import("utils.strings")   -- any kind of module
//   hotmod.state.greeted = hotmod.state.greeted or 0 -- kept across reloads
//   local M = {_version = "1.2", _description = "Says hello"}
//   function M.greet(who) hotmod.state.greeted = hotmod.state.greeted + 1
//     return "hello " .. who end
//   function M._helper() end                         -- private: leading _
//   return M
//
// Each module has its own lua_State, behind a mutex (calls may come from
// any thread). Each run of the chunk gets a fresh environment table, so a
// reload that fails (syntax error, runtime error, a bad return value)
// leaves the running version and its globals untouched; hotmod.state is
// snapshotted before the chunk runs and restored when the load fails, so
// what the failed chunk wrote there is undone too (state_snapshot.hpp).
// The sandbox has the base library without dofile/loadfile/load of binary
// chunks, string, table, math, utf8 and coroutine; `io` and `os` only when
// the module is granted "lua:io" / "lua:os" (otherwise touching them raises
// an error naming the capability and the config key that grants it), with
// io.popen and os.execute only under "lua:exec"; never os.exit, debug or
// package/require.
//
// Reserved fields of the returned table: `_version`, `_description`,
// `_capabilities` (a list of capability names the module needs);
// `on_load()` and `on_unload()` are lifecycle hooks, not exported.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "hotmod/context.hpp"
#include "hotmod/value.hpp"

struct lua_State;
struct lua_Debug;

namespace hotmod::script {

// What a script reaches outside itself (the runtime supplies it).
struct ScriptHost {
  // hotmod.import(name): the named module's function names (loading it if
  // needed and recording the import), or why not.
  std::function<Result<std::vector<std::string>>(std::string_view module)> import;
  // A call to an imported module: module.function(args...).
  std::function<Result<Value>(std::string_view module, std::string_view function,
                              const Value& args)>
      call;
  // hotmod.log(level, text), and print() (at info).
  std::function<void(LogLevel level, std::string_view text)> log;
  // hotmod.has_capability(name); also decides whether io / os are there.
  std::function<bool(std::string_view capability)> granted;
  // The module's config section as hotmod.config (null: an empty table).
  Value config;
};

// What one module's interpreter may take (RuntimeOptions::limits); 0: no
// limit. Past either, the call, hook or chunk running fails with
// Failure::timed_out and the module stays usable.
struct ScriptLimits {
  // Lua instructions from the host's call into the module until it
  // returns, calls it makes back into the module included.
  std::uint64_t instructions = 0;
  std::uint64_t memory_bytes = 0;  // everything the interpreter holds
};

struct ScriptFunction {
  std::string name;
  std::string signature;  // "greet(who)" from the Lua parameter names
};

// One run of the chunk: its exports. Owned by a ScriptModule's version.
struct ScriptVersion {
  int exports_ref = 0;  // LUA_REGISTRYINDEX reference to the returned table
  int env_ref = 0;      // its environment table
  // The snapshot of hotmod.state taken before the chunk ran, 0 when none:
  // kept until restore_state() or drop_snapshot() (or release()).
  int snapshot_ref = 0;
  std::string version;
  std::string description;
  std::vector<std::string> capabilities;
  std::vector<ScriptFunction> functions;  // exported, sorted by name
  bool has_on_load = false;
  bool has_on_unload = false;
};

class ScriptModule {
 public:
  ScriptModule(std::string name, ScriptHost host, ScriptLimits limits = {});
  ~ScriptModule();
  ScriptModule(const ScriptModule&) = delete;
  ScriptModule& operator=(const ScriptModule&) = delete;

  const std::string& name() const { return name_; }

  // Compiles and runs `source` in a fresh environment. A syntax error is
  // reported as "name.lua:LINE: message"; a runtime error with its
  // traceback; a chunk that does not return a table says so. Nothing of a
  // failed load stays reachable, and hotmod.state is as it was before
  // (contents of every table reachable from it, and which tables those
  // are). A successful load keeps the snapshot taken before the chunk ran
  // in the version (snapshot_ref), for restore_state() or drop_snapshot().
  Result<std::shared_ptr<ScriptVersion>> load(std::string_view source,
                                              const std::string& chunk_name);
  // Puts hotmod.state back as it was before `v` was loaded (undoing its
  // chunk and whatever ran since: its on_load, calls) and drops the
  // snapshot. Does nothing when v has none.
  void restore_state(ScriptVersion& v);
  // Frees v's snapshot of hotmod.state (once the version is committed).
  void drop_snapshot(ScriptVersion& v);
  // Runs the version's on_load / on_unload hook, if it has one.
  Result<Value> run_hook(const ScriptVersion& v, std::string_view hook);
  // Calls an exported function: args is a JSON array. Lua errors become
  // Errors ("module 'm': greet: file.lua:3: attempt to ...").
  Result<Value> call(const ScriptVersion& v, std::string_view function, const Value& args);
  // Drops a version's references (its tables and its snapshot become
  // garbage).
  void release(ScriptVersion& v);

  // Bytes the interpreter holds, from its allocator (exact).
  std::uint64_t heap_bytes() const;
  // An estimate of the bytes reachable from hotmod.state: a walk of its
  // tables and strings (shared ones counted once) with sizes computed from
  // Lua 5.4's 64-bit object layout (script_inspect.hpp says how). Not the
  // allocator's count: Lua does not report the memory of one table, and
  // the estimate may be off by the allocator's rounding and by the parts
  // it does not follow (upvalues, prototypes, metatables).
  std::uint64_t state_bytes();

 private:
  std::string name_;
  ScriptHost host_;
  mutable std::recursive_mutex mu_;  // a call may re-enter through an import cycle-free chain
  lua_State* L_ = nullptr;
  struct Alloc;
  std::unique_ptr<Alloc> alloc_;
  int state_ref_ = 0;  // hotmod.state: the registry reference, for every version
  // Instructions run since the host's outermost call in; counted by a count
  // hook, reset when a call enters at depth 0. Guarded by mu_.
  struct Budget {
    std::uint64_t limit = 0;
    std::uint64_t every = 0;  // instructions between two calls of the hook
    std::uint64_t executed = 0;
    int depth = 0;
    bool exceeded = false;
  };
  Budget budget_;
  class Entry;        // one call in: resets the budget at the outermost one
  class Bookkeeping;  // hotmod's own allocations, never refused
  friend void count_hook(lua_State* L, lua_Debug* ar);
  // A failed protected run's error (`status` from protect()), said as the
  // limit it ran into when it did, after `prefix`; "" when it did not.
  // Caller holds mu_.
  std::string over_limit(std::string_view prefix, int status) const;
};

}  // namespace hotmod::script
