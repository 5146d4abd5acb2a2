// ThreadFrame: what this thread is in the middle of, as far as loading and
// reloading go — the transaction's only per-thread state, in one place.
//
//  - `loading`: modules whose load or hooks run on this thread, innermost
//    last. Importing one of them is a cycle, refused with the chain instead
//    of deadlocking on its lock.
//  - `script_version`: the script version whose chunk is running. Imports
//    made at the chunk's top level belong to it, not to the version still
//    current.
//  - `dependency_hooks`: on_dependency_reloaded hooks running (each holds a
//    module's lock).
//  - `outbox`: events and on_reload callbacks, held back until the thread
//    holds no module's lock: a subscriber may call back into the runtime
//    (info, reload, import). The outermost caller delivers them.
#pragma once

#include <string>
#include <vector>

#include "hotmod/reload_stats.hpp"
#include "hotmod/value.hpp"

namespace hotmod::registry {
class Slot;
struct Version;
}  // namespace hotmod::registry

namespace hotmod::reload {

struct Notice {
  std::string topic;
  Value payload;
  ReloadStats stats;
};

struct ThreadFrame {
  std::vector<const registry::Slot*> loading;
  registry::Version* script_version = nullptr;
  int dependency_hooks = 0;
  std::vector<Notice> outbox;

  // No module's lock is held on this thread's behalf: notices may go out.
  bool may_deliver() const { return loading.empty() && dependency_hooks == 0; }
};

ThreadFrame& this_thread_frame();

// `slot` is loading (or running its hooks) on this thread until the scope ends.
class LoadingScope {
 public:
  explicit LoadingScope(const registry::Slot& slot) {
    this_thread_frame().loading.push_back(&slot);
  }
  ~LoadingScope() { this_thread_frame().loading.pop_back(); }
  LoadingScope(const LoadingScope&) = delete;
  LoadingScope& operator=(const LoadingScope&) = delete;
};

// `v`'s chunk runs on this thread until the scope ends (scopes nest: a chunk
// may load another script).
class ScriptVersionScope {
 public:
  explicit ScriptVersionScope(registry::Version* v)
      : previous_(this_thread_frame().script_version) {
    this_thread_frame().script_version = v;
  }
  ~ScriptVersionScope() { this_thread_frame().script_version = previous_; }
  ScriptVersionScope(const ScriptVersionScope&) = delete;
  ScriptVersionScope& operator=(const ScriptVersionScope&) = delete;

 private:
  registry::Version* previous_;
};

// An on_dependency_reloaded hook runs on this thread until the scope ends.
class DependencyHookScope {
 public:
  DependencyHookScope() { ++this_thread_frame().dependency_hooks; }
  ~DependencyHookScope() { --this_thread_frame().dependency_hooks; }
  DependencyHookScope(const DependencyHookScope&) = delete;
  DependencyHookScope& operator=(const DependencyHookScope&) = delete;
};

}  // namespace hotmod::reload
