// Running a build command (a module's `build` rule, later the compiler):
// /bin/sh -c COMMAND in a folder, its stdout and stderr captured together
// in the order they were written.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>

namespace hotmod::build {

struct CommandResult {
  bool started = false;    // false: it could not be run at all (see error)
  int exit_code = -1;      // when it exited
  int signal = 0;          // when a signal ended it
  bool cancelled = false;  // stopped through `cancel`
  std::string output;      // stdout and stderr, interleaved; the tail when huge
  std::string error;       // why it could not be started
  std::chrono::nanoseconds duration{0};

  bool ok() const { return started && !cancelled && signal == 0 && exit_code == 0; }
  // "exit code 2", "killed by signal 9", "cancelled", or the start error.
  std::string describe() const;
};

// Runs `command` through /bin/sh in `directory` and waits for it, in its own
// process group. When `cancel` becomes true the group gets SIGTERM, and
// SIGKILL two seconds later. Only this child is waited for (waitpid on its
// pid): the host's SIGCHLD handling is left alone. A background process the
// command leaves holding its output is not waited for beyond a short drain.
CommandResult run_command(const std::string& command, const std::filesystem::path& directory,
                          const std::atomic<bool>* cancel = nullptr);

}  // namespace hotmod::build
