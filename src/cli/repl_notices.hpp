// Lines the REPL prints that come from other threads — the watcher's
// reloads, the runtime's log — queued here and printed by the REPL's own
// thread between the lines it reads, so they never tear a line being typed.
// A pipe wakes the REPL's poll() when one is queued.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "hotmod/context.hpp"
#include "hotmod/value.hpp"

namespace hotmod::cli {

class Notices {
 public:
  // The thread that constructs it is the REPL's: see on_repl_thread().
  Notices();
  ~Notices();
  Notices(const Notices&) = delete;
  Notices& operator=(const Notices&) = delete;

  // Any thread. A line without its '\n'.
  void push(std::string line);
  // The REPL thread: every queued line, oldest first; empties the pipe.
  std::vector<std::string> take();
  // Readable while lines are queued (poll it with POLLIN).
  int wake_fd() const { return fds_[0]; }
  bool on_repl_thread() const { return std::this_thread::get_id() == owner_; }

 private:
  std::thread::id owner_;
  int fds_[2] = {-1, -1};
  std::mutex mu_;
  std::vector<std::string> lines_;
};

// A RuntimeOptions::log_sink for the REPL: lines at `level` or above, as
// "[warn] text"; written at once by `direct` on the REPL thread (they
// belong to the command running), queued as notices from other threads.
// Without `errors`, error lines are left out: each is a failed load, reload
// or build the REPL reports itself ([FAILED] lines, Lua errors, .errors).
std::function<void(LogLevel, std::string_view)> repl_log_sink(
    Notices& notices, LogLevel level, bool errors, std::function<void(std::string_view)> direct);

}  // namespace hotmod::cli
