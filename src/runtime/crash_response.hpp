// What the runtime does after a contained crash (contain/), off the crashed
// thread: remembers the crashed file in the quarantine, publishes
// module.crashed, and when the version that crashed is the running one and
// replaced an earlier one, reloads that earlier version from the copy kept
// of it (Slot::fallback) — the usual reload events follow.
//
// The crashed thread only queues the notice (it may hold the module's
// locks); one worker thread, started by the first crash, does the rest.
// Destroying the responder stops being told of crashes and quarantines what
// is still queued — a crash just before exit is remembered — without
// rolling anything back.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "contain/contain.hpp"
#include "runtime/core_fwd.hpp"

namespace hotmod::runtime {

class CrashResponder {
 public:
  explicit CrashResponder(Core& core);
  ~CrashResponder();
  CrashResponder(const CrashResponder&) = delete;
  CrashResponder& operator=(const CrashResponder&) = delete;

 private:
  static void told(void* self, const contain::CrashNotice& notice);
  void run();
  // `stopping`: the runtime is going; the crash is quarantined, not rolled back.
  void respond(const contain::CrashNotice& notice, bool stopping);

  Core& core_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<contain::CrashNotice> queue_;  // guarded by mu_
  bool stop_ = false;                       // guarded by mu_
  std::thread worker_;                      // started by the first notice, under mu_
};

}  // namespace hotmod::runtime
