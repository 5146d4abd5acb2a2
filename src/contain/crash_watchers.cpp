// Who is told of a contained crash: a short list behind one mutex, called
// in order with the mutex held, so unwatch_crashes() returning means the
// watcher is not running and will not run again. Crashes are rare and the
// watchers only queue what they are told, so the lock is never contended
// for long.
#include <mutex>
#include <utility>
#include <vector>

#include "contain/contain.hpp"
#include "contain/crash_facts.hpp"

namespace hotmod::contain {
namespace {

struct Watchers {
  std::mutex mu;
  std::vector<std::pair<CrashWatcher, void*>> list;  // guarded by mu
};

Watchers& watchers() {
  static auto* w = new Watchers;  // never destroyed: a thread may crash during exit
  return *w;
}

}  // namespace

void watch_crashes(CrashWatcher watcher, void* context) {
  Watchers& w = watchers();
  std::lock_guard lock(w.mu);
  w.list.emplace_back(watcher, context);
}

void unwatch_crashes(void* context) {
  Watchers& w = watchers();
  std::lock_guard lock(w.mu);
  std::erase_if(w.list, [&](const auto& entry) { return entry.second == context; });
}

void tell_watchers(const CrashFacts& facts, const std::string& message) {
  CrashNotice notice{facts.module,       facts.version, facts.generation,
                     facts.content_hash, message,       facts.owner};
  Watchers& w = watchers();
  std::lock_guard lock(w.mu);
  for (const auto& [watcher, context] : w.list) watcher(context, notice);
}

}  // namespace hotmod::contain
