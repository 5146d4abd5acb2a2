// Child processes: what hotmod runs (compilers, linkers, users' build rules)
// and what its tests and benchmarks run (the `hotmod` binary, distccd).
//
// Written on process/spawn_helper rather than libuv's uv_spawn or
// posix_spawn: libuv reaps children through a SIGCHLD handler it installs
// process-wide, and with either the program would be the host's child, its
// status lost to a host that ignores SIGCHLD or reaps every child itself.
// Here the program's parent is a helper of hotmod's own that the host's
// SIGCHLD handling never sees; its end is watched through a pidfd (poll(),
// no sleeping), falling back to a short poll interval where pidfds are not
// available.
//
// Thread-safety: a Child is used by one thread at a time; separate Childs
// may run on separate threads.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hotmod/value.hpp"

namespace hotmod::process {

class SpawnHelper;

// What to run, where, with which environment.
struct Command {
  Command() = default;
  Command(std::vector<std::string> args, std::filesystem::path dir = {},
          std::vector<std::string> env = {})
      : argv(std::move(args)), directory(std::move(dir)), environment(std::move(env)) {}

  // argv[0] is a path, or a program's name looked up in $PATH.
  std::vector<std::string> argv;
  std::filesystem::path directory;  // where it runs; empty: the current folder
  // The host's environment (none with inherit_environment false), then
  // these "NAME=VALUE" entries, each replacing a variable of that name.
  std::vector<std::string> environment;
  bool inherit_environment = true;
};

// A user's command line, run by /bin/sh -c: build rules, and nothing hotmod
// composes itself (its own commands are argv, never a shell line).
Command shell(std::string command_line, std::filesystem::path directory = {});

// Where the child's standard streams go.
struct Streams {
  // stdin: /dev/null, a pipe the parent writes (Child::write), or a file.
  enum class Input { null, pipe, file } input = Input::null;
  std::filesystem::path input_file;
  // stdout and stderr: one pipe holding both in the order they were written
  // (Child::read), or each to a file (created or truncated; both to one
  // file when the names are the same), or inherited.
  enum class Output { pipe, files, inherit } output = Output::pipe;
  std::filesystem::path stdout_file;
  std::filesystem::path stderr_file;
  // In a process group of its own, so signal() reaches what it started too.
  bool own_group = true;
};

// How a child ended.
struct Exit {
  int code = -1;   // its exit code; -1 when a signal ended it, or its status was lost
  int signal = 0;  // the signal that ended it, if one did
  // The process waiting for it (process/spawn_helper) was killed first.
  bool status_lost = false;
};

class Child {
 public:
  // Starts `command`; the error names the program and why it did not start.
  static Result<Child> spawn(const Command& command, const Streams& streams = {});

  Child(Child&& other) noexcept;
  Child& operator=(Child&& other) noexcept;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  // Kills it (SIGKILL, its group too) and reaps it if it still runs.
  ~Child();

  pid_t pid() const { return pid_; }

  // Streams::Input::pipe: writes all of `text` to its stdin; false once it
  // stopped reading. close_stdin() is its end of input.
  bool write(std::string_view text);
  void close_stdin();

  // Sends `sig` to it, and to its group when it has one of its own.
  void signal(int sig);

  // Streams::Output::pipe: appends to `out` what it wrote, waiting up to
  // `timeout` for something; false once the pipe is closed and drained.
  bool read(std::string& out, std::chrono::milliseconds timeout);

  // Its exit, once it has exited (reaps it); nullopt while it runs. Waits
  // up to `timeout` for it (zero: does not wait).
  std::optional<Exit> wait_for(std::chrono::milliseconds timeout);
  Exit wait();  // until it exits

 private:
  Child() = default;
  void close_all();
  bool reap(bool block);  // true once exited (exit_ set)

  pid_t pid_ = -1;
  std::unique_ptr<SpawnHelper> helper_;  // its parent, which collects its status
  int stdin_ = -1;
  int output_ = -1;
  bool own_group_ = false;
  std::optional<Exit> exit_;
};

// Quotes `arg` for /bin/sh when it needs it: for command lines shown to
// people (logs, a rule to paste), which the shell would read back the same.
std::string shell_quote(std::string_view arg);
std::string shell_join(const std::vector<std::string>& args);

}  // namespace hotmod::process
