// Starting a program whose exit status only hotmod collects, whatever the
// host does with SIGCHLD. The kernel reaps the children of a process that
// ignores SIGCHLD the moment they exit, and a host's waitpid(-1) loop reaps
// them before hotmod can; either way how a compile ended would be lost.
//
// So the program is not hotmod's child but its helper's: a process cloned
// with no exit signal, sharing hotmod's memory and descriptor table, whose
// only job is to start the program, wait for it and leave its status where
// hotmod reads it. A clone without an exit signal is never reaped by the
// kernel for the host, never seen by a waitpid(-1) without __WALL, and
// never runs the host's SIGCHLD handler. (The program itself cannot be
// such a clone: exec gives every process SIGCHLD as its exit signal.)
//
// Neither libuv nor posix_spawn can start a process this way; the code
// follows glibc's posix_spawn (clone with CLONE_VM | CLONE_VFORK onto a
// stack of its own, every signal blocked across it, dispositions reset
// before unblocking), one level deeper.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>

namespace hotmod::process {

// What the program's process does between its clone and its exec: made
// entirely beforehand, since that code may not allocate, lock or touch
// thread-local storage (it runs on the calling thread's, shared).
struct ExecPlan {
  // Applied in order: open `path` onto the descriptor `target`, or make
  // `source` the descriptor `target`.
  struct Redirect {
    enum class Kind { open, dup } kind = Kind::dup;
    int target = -1;
    const char* path = nullptr;
    int flags = 0;
    int source = -1;
  };
  Redirect redirects[4];
  int redirect_count = 0;
  const char* directory = nullptr;  // entered after the redirects
  bool own_group = false;           // setpgid(0, 0)
  // Paths tried in turn with execve, null-terminated: the program itself
  // when it holds a '/', else it in each $PATH folder.
  const char* const* candidates = nullptr;
  char* const* argv = nullptr;
  char* const* envp = nullptr;

  // Which step failed (a redirect's index, or one of these) and its errno.
  enum Step : int {
    none = -1,
    enter_directory = 100,
    new_group = 101,
    exec = 102,
    clone_program = 103,
    helper_killed = 104,
  };
  int failed_step = none;
  int error = 0;  // 0: unknown
};

class SpawnHelper {
 public:
  // Starts the helper, which starts the program as `plan` says; returns
  // once the program runs or failed to start (plan.failed_step). nullptr
  // with *error set when no helper could be started. The plan's pointers
  // need only last until it returns.
  static std::unique_ptr<SpawnHelper> start(ExecPlan& plan, int* error);

  // Kills the program if it still runs, waits for the helper and releases
  // the memory it ran in.
  ~SpawnHelper();
  SpawnHelper(const SpawnHelper&) = delete;
  SpawnHelper& operator=(const SpawnHelper&) = delete;

  pid_t program() const;  // the program's pid (0 when it did not start)
  // Sends `sig` to the program (through a pidfd: never to another process
  // given its pid since), and to its process group when `group`.
  void signal(int sig, bool group) const;
  // Readable once the helper exited; -1 when the kernel has no pidfds.
  int exit_fd() const { return helper_pidfd_; }

  // Reaps the helper once it exited, waiting for that when `block`. True
  // once it has; `status` is then the program's wait status, or nullopt
  // when the helper was killed before it could collect it.
  bool reap(bool block, std::optional<int>* status);

  struct Shared;

 private:
  SpawnHelper() = default;
  char* mapping_ = nullptr;  // the helper's stacks and Shared, until it exited
  Shared* shared_ = nullptr;
  pid_t helper_ = -1;
  int helper_pidfd_ = -1;
  int program_pidfd_ = -1;
  bool exited_ = false;
};

}  // namespace hotmod::process
