// Hosts that are unkind to child processes, for the tests that check
// hotmod's own children are not affected: one that ignores SIGCHLD (the
// kernel then reaps its children the moment they exit), and one with a
// thread reaping every child it has, as a process supervisor does.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
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

// A thread calling waitpid(-1) until destroyed; counts what it reaped. The
// host keeps one child of its own blocked on a pipe meanwhile, so that the
// blocking waitpid(-1) always has a child to wait for; closing the pipe ends
// that child, and with it the thread.
class ReapingEveryChild {
 public:
  ReapingEveryChild() {
    int held[2];
    if (::pipe(held) != 0) std::abort();
    keeper_ = ::fork();
    if (keeper_ == 0) {  // only async-signal-safe calls: the parent has threads
      ::close(held[1]);
      char byte;
      while (::read(held[0], &byte, 1) < 0) {
      }
      ::_exit(0);
    }
    ::close(held[0]);
    release_ = held[1];
    thread_ = std::thread([this] {
      for (;;) {
        int status = 0;
        const pid_t pid = ::waitpid(-1, &status, 0);
        if (pid == keeper_ || (pid < 0 && errno == ECHILD)) return;
        if (pid > 0) ++reaped_;
      }
    });
  }
  ~ReapingEveryChild() {
    ::close(release_);  // the keeper reads end of file and exits
    thread_.join();
  }
  ReapingEveryChild(const ReapingEveryChild&) = delete;
  ReapingEveryChild& operator=(const ReapingEveryChild&) = delete;
  // Children reaped besides the keeper.
  int reaped() const { return reaped_.load(); }

 private:
  pid_t keeper_ = -1;
  int release_ = -1;
  std::atomic<int> reaped_{0};
  std::thread thread_;
};

}  // namespace hotmod_test
