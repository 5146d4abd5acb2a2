// Deadlines for hooks: one watchdog thread for the process, asleep until
// the earliest deadline of the threads that registered one; then it marks
// the deadline fired and signals the thread (signal_handler.cpp stops it
// where it is, when that is module code). Hand-written: libuv's timers
// belong to a loop whose thread would have to outlive every runtime, and
// this needs nothing but a condition variable.
#include <signal.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "contain/contain.hpp"
#include "contain/crash_facts.hpp"

namespace hotmod::contain {

class Watchdog {
 public:
  static Watchdog& get() {
    static Watchdog* w = new Watchdog();  // its thread runs until the process exits
    return *w;
  }

  void add(Deadline* d) {
    std::lock_guard lock(mu_);
    if (!started_) {
      std::thread([this] { run(); }).detach();
      started_ = true;
    }
    d->next_ = std::chrono::steady_clock::now() + d->limit_;
    active_.push_back(d);
    wake_.notify_one();
  }

  void remove(Deadline* d) {
    std::lock_guard lock(mu_);
    std::erase(active_, d);
  }

 private:
  void run() {
    std::unique_lock lock(mu_);
    for (;;) {
      if (active_.empty()) {
        wake_.wait(lock);
        continue;
      }
      const auto earliest = std::min_element(
          active_.begin(), active_.end(),
          [](const Deadline* a, const Deadline* b) { return a->next_ < b->next_; });
      const auto due = (*earliest)->next_;
      if (std::chrono::steady_clock::now() < due) {
        wake_.wait_until(lock, due);
        continue;
      }
      Deadline* d = *earliest;
      d->fired.store(true, std::memory_order_release);
      // Again each second while it runs on: the first signal may have found
      // the thread in host code, which is never stopped.
      d->next_ = due + std::chrono::seconds(1);
      pthread_kill(d->thread_, deadline_signal());
    }
  }

  std::mutex mu_;
  std::condition_variable wake_;
  std::vector<Deadline*> active_;
  bool started_ = false;
};

int deadline_signal() {
  return SIGRTMIN + 3;
}

Deadline::Deadline(std::chrono::nanoseconds limit, const char* what, const char* key)
    : limit_(limit), what_(what), key_(key), thread_(pthread_self()) {
  ThreadCrashState& t = this_thread_state();
  outer_ = t.deadline;
  t.deadline = this;
  if (limit_.count() > 0 && active()) {
    watched_ = true;
    Watchdog::get().add(this);
  }
}

Deadline::~Deadline() {
  if (watched_) Watchdog::get().remove(this);
  this_thread_state().deadline = outer_;
}

}  // namespace hotmod::contain
