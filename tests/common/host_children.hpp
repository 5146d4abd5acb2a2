// Hosts that are unkind to child processes, for the tests that check
// hotmod's own children are not affected: one that ignores SIGCHLD (the
// kernel then reaps its children the moment they exit), and one with a
// thread reaping every child it has, as a process supervisor does.
#pragma once

#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace hotmod_test {

// SIGCHLD ignored while it lives; the previous disposition back after.
class IgnoringSigchld {
 public:
  IgnoringSigchld() {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    ok_ = sigaction(SIGCHLD, &ignore, &old_) == 0;
  }
  ~IgnoringSigchld() {
    if (ok_) sigaction(SIGCHLD, &old_, nullptr);
  }
  IgnoringSigchld(const IgnoringSigchld&) = delete;
  IgnoringSigchld& operator=(const IgnoringSigchld&) = delete;
  bool ok() const { return ok_; }

 private:
  struct sigaction old_ {};
  bool ok_ = false;
};

// A thread calling waitpid(-1) until destroyed; counts what it reaped.
class ReapingEveryChild {
 public:
  ReapingEveryChild()
      : thread_([this] {
          while (!stop_.load()) {
            int status = 0;
            if (::waitpid(-1, &status, WNOHANG) > 0)
              ++reaped_;
            else  // nothing to reap now: look again in a moment, not in a busy loop
              std::this_thread::sleep_for(std::chrono::microseconds(200));
          }
        }) {}
  ~ReapingEveryChild() {
    stop_ = true;
    thread_.join();
  }
  ReapingEveryChild(const ReapingEveryChild&) = delete;
  ReapingEveryChild& operator=(const ReapingEveryChild&) = delete;
  int reaped() const { return reaped_.load(); }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> reaped_{0};
  std::thread thread_;
};

}  // namespace hotmod_test
