// Running a command to its end, its stdout and stderr captured together in
// the order they were written: a module's build rule, a compile, a link.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include "process/child.hpp"

namespace hotmod::process {

struct Outcome {
  bool started = false;      // false: it could not be run at all (see error)
  int exit_code = -1;        // when it exited
  int signal = 0;            // when a signal ended it
  bool cancelled = false;    // stopped through `cancel`
  bool timed_out = false;    // stopped because it ran past its time limit
  bool status_lost = false;  // how it ended is unknown (see Exit)
  std::string output;        // stdout and stderr, interleaved; the tail when huge
  std::string error;         // why it could not be started
  std::chrono::nanoseconds duration{0};

  std::chrono::nanoseconds limit{0};  // the time limit it ran under (0: none)

  bool ok() const { return started && !cancelled && !timed_out && signal == 0 && exit_code == 0; }
  // "exit code 2", "killed by signal 9", "cancelled", "stopped after 300 s,
  // its time limit", or the start error.
  std::string describe() const;
};

// Runs `command` in a process group of its own and waits for it. When
// `cancel` becomes true, or it has run for `limit` (0: no limit), the group
// gets SIGTERM, and SIGKILL two seconds later. A background process the command leaves holding its
// output is not waited for beyond a short drain. Output beyond a megabyte keeps its head (the first
// errors) and its tail (how it ended).
Outcome run(const Command& command, const std::atomic<bool>* cancel = nullptr,
            std::chrono::nanoseconds limit = {});

}  // namespace hotmod::process
