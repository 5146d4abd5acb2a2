// Compiled without sanitizers and stack protector (src/CMakeLists.txt): the
// helper and the program's process run on the calling thread's thread-local
// storage, which that thread goes on using, so their code touches none —
// raw system calls (no errno), no instrumentation hooks, no canary reads,
// and no inline functions from headers (the linker may pick an
// instrumented copy of one).
#include "process/spawn_helper.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <new>

// glibc's clone(3), under the name the sanitizer runtimes do not wrap (their
// `clone` records a thread, on thread-local storage, for what is a process).
extern "C" int __clone(int (*fn)(void*), void* stack, int flags, void* arg, ...);

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

namespace hotmod::process {

struct SpawnHelper::Shared {
  ExecPlan* plan = nullptr;  // valid until the started byte is written
  int started_fd = -1;       // the helper writes one byte here once the program runs
  char* program_stack = nullptr;
  std::size_t stack_bytes = 0;
  // Written by the helper.
  pid_t program = 0;
  int wait_status = 0;
  int status_known = 0;
};

namespace {

// A system call without errno: the result, or -error.
long sys(long n, long a = 0, long b = 0, long c = 0, long d = 0, long e = 0) {
#if defined(__x86_64__)
  long ret;
  register long r10 asm("r10") = d;
  register long r8 asm("r8") = e;
  asm volatile("syscall"
               : "=a"(ret)
               : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
               : "rcx", "r11", "memory");
  return ret;
#elif defined(__aarch64__)
  register long x8 asm("x8") = n;
  register long x0 asm("x0") = a;
  register long x1 asm("x1") = b;
  register long x2 asm("x2") = c;
  register long x3 asm("x3") = d;
  register long x4 asm("x4") = e;
  asm volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4) : "memory");
  return x0;
#else
#error "process/spawn_helper.cpp: raw system calls are written for x86-64 and AArch64 only"
#endif
}

long ptr(const void* p) {
  return reinterpret_cast<long>(p);
}

// What rt_sigaction takes; all zeros is SIG_DFL, no flags, nothing masked,
// whatever the architecture's field order. Static: no code initializes it.
struct KernelSigaction {
  std::uintptr_t words[4];
};
const KernelSigaction kDefaultAction{};
const std::uint64_t kNoSignals = 0;
const std::uint64_t kAllSignals = ~std::uint64_t{0};

[[noreturn]] void fail(ExecPlan& plan, int step, long error) {
  plan.failed_step = step;
  plan.error = static_cast<int>(-error);
  for (;;) sys(SYS_exit_group, 127);
}

// Makes `source` the descriptor `target`, without close-on-exec (dup3
// refuses equal descriptors: there the flag is cleared instead).
long move_to(long source, int target) {
  if (source == target) return sys(SYS_fcntl, target, F_SETFD, 0);
  return sys(SYS_dup3, source, target, 0);
}

// The program's process, until its exec. Its parent (the helper) waits
// meanwhile, as after vfork.
int program_main(void* arg) {
  ExecPlan& plan = *static_cast<ExecPlan*>(arg);
  for (int i = 0; i < plan.redirect_count; ++i) {
    const ExecPlan::Redirect& r = plan.redirects[i];
    long fd = r.source;
    if (r.kind == ExecPlan::Redirect::Kind::open) {
      fd = sys(SYS_openat, AT_FDCWD, ptr(r.path), r.flags, 0600);
      if (fd < 0) fail(plan, i, fd);
    }
    if (const long rc = move_to(fd, r.target); rc < 0) fail(plan, i, rc);
    if (r.kind == ExecPlan::Redirect::Kind::open && fd != r.target) sys(SYS_close, fd);
  }
  if (plan.directory != nullptr)
    if (const long rc = sys(SYS_chdir, ptr(plan.directory)); rc < 0)
      fail(plan, ExecPlan::enter_directory, rc);
  if (plan.own_group)
    if (const long rc = sys(SYS_setpgid, 0, 0); rc < 0) fail(plan, ExecPlan::new_group, rc);
  sys(SYS_rt_sigprocmask, SIG_SETMASK, ptr(&kNoSignals), 0, 8);

  // execvp's rules: a folder without it, or that may not be searched, is
  // passed over; "permission denied" is reported if nothing ran; any other
  // error ends the search.
  long error = -ENOENT;
  bool denied = false;
  for (const char* const* c = plan.candidates; *c != nullptr; ++c) {
    error = sys(SYS_execve, ptr(*c), ptr(plan.argv), ptr(plan.envp));
    if (error == -EACCES) {
      denied = true;
      continue;
    }
    if (error != -ENOENT && error != -ENOTDIR && error != -ESTALE && error != -ENODEV &&
        error != -ETIMEDOUT)
      break;
  }
  if (denied && (error == -ENOENT || error == -ENOTDIR)) error = -EACCES;
  fail(plan, ExecPlan::exec, error);
}

// The helper. Every signal blocked for good (glibc's pthread_sigmask leaves
// two of its own open: a raw mask closes them too), so a Ctrl-C to the
// host's process group does not end the waiter; every disposition the
// default, so the program starts with them and its exit is not reaped by
// the kernel as a host's SIG_IGN would have it.
int helper_main(void* arg) {
  SpawnHelper::Shared& s = *static_cast<SpawnHelper::Shared*>(arg);
  sys(SYS_rt_sigprocmask, SIG_SETMASK, ptr(&kAllSignals), 0, 8);
  for (int sig = 1; sig < 65; ++sig)
    if (sig != SIGKILL && sig != SIGSTOP) sys(SYS_rt_sigaction, sig, ptr(&kDefaultAction), 0, 8);

  ExecPlan& plan = *s.plan;
  const int pid = __clone(program_main, s.program_stack + s.stack_bytes,
                          CLONE_VM | CLONE_VFORK | SIGCHLD, &plan);
  // On failure glibc's errno is the calling thread's (shared): not read.
  if (pid < 0) {
    plan.failed_step = ExecPlan::clone_program;
    plan.error = EAGAIN;
  }
  int status = 0;
  if (pid > 0 && plan.failed_step != ExecPlan::none) sys(SYS_wait4, pid, ptr(&status), 0, 0);
  if (pid > 0 && plan.failed_step == ExecPlan::none) s.program = pid;
  const char started = 1;
  sys(SYS_write, s.started_fd, ptr(&started), 1);
  // Nothing of the host's is needed from here on: leave its descriptor
  // table (kept open otherwise, should the host die or exec first).
  sys(SYS_close_range, 0, ~0U, CLOSE_RANGE_UNSHARE);
  if (s.program == 0) return 0;

  long rc;
  do rc = sys(SYS_wait4, s.program, ptr(&status), 0, 0);
  while (rc == -EINTR);
  if (rc == s.program) {
    s.wait_status = status;
    __atomic_store_n(&s.status_known, 1, __ATOMIC_RELEASE);
  }
  return 0;
}

int open_pidfd(pid_t pid) {
  const long fd = ::syscall(SYS_pidfd_open, pid, 0);
  return fd < 0 ? -1 : static_cast<int>(fd);
}

std::size_t page_size() {
  return static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

// Each stack: 32 KiB, or a page where pages are bigger.
std::size_t stack_bytes() {
  const std::size_t page = page_size();
  return (32 * 1024 + page - 1) / page * page;
}

// guard | program stack | guard | helper stack | Shared
std::size_t mapping_size() {
  return 3 * page_size() + 2 * stack_bytes();
}

// Whether the helper has exited, without reaping it.
bool helper_gone(pid_t helper) {
  siginfo_t info{};
  const int rc =
      ::waitid(P_PID, static_cast<id_t>(helper), &info, WEXITED | WNOHANG | WNOWAIT | __WALL);
  // ECHILD: reaped by someone else (a host's wait with __WALL): gone.
  return rc == 0 ? info.si_pid == helper : errno == ECHILD;
}

}  // namespace

std::unique_ptr<SpawnHelper> SpawnHelper::start(ExecPlan& plan, int* error) {
  std::unique_ptr<SpawnHelper> h(new SpawnHelper);  // before the clone: nothing throws after it
  const std::size_t page = page_size();
  const std::size_t stack = stack_bytes();
  char* base = static_cast<char*>(::mmap(nullptr, mapping_size(), PROT_READ | PROT_WRITE,
                                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0));
  if (base == MAP_FAILED) {
    *error = errno;
    return nullptr;
  }
  // Guard pages: an overflow faults instead of writing into the other stack.
  if (::mprotect(base, page, PROT_NONE) != 0 ||
      ::mprotect(base + page + stack, page, PROT_NONE) != 0) {
    *error = errno;
    ::munmap(base, mapping_size());
    return nullptr;
  }
  char* helper_stack = base + 2 * page + stack;
  auto* shared = new (helper_stack + stack) Shared;
  shared->plan = &plan;
  shared->program_stack = base + page;
  shared->stack_bytes = stack;

  int pipe[2];
  if (::pipe2(pipe, O_CLOEXEC) != 0) {
    *error = errno;
    ::munmap(base, mapping_size());
    return nullptr;
  }
  shared->started_fd = pipe[1];

  sigset_t all, before;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &before);
  // No exit signal in the low byte of the flags; the descriptor table
  // shared, so the helper takes no references to the host's descriptors.
  const int helper = __clone(helper_main, helper_stack + stack, CLONE_VM | CLONE_FILES, shared);
  const int clone_error = errno;
  ::pthread_sigmask(SIG_SETMASK, &before, nullptr);
  if (helper < 0) {
    ::close(pipe[0]);
    ::close(pipe[1]);
    ::munmap(base, mapping_size());
    *error = clone_error;
    return nullptr;
  }
  h->mapping_ = base;
  h->shared_ = shared;
  h->helper_ = helper;
  h->helper_pidfd_ = open_pidfd(helper);

  // Until the byte comes (it always comes before the helper exits), or the
  // helper is gone without it: killed from outside. Never returns while the
  // helper may still read `plan`, which lives in the caller's frame.
  for (;;) {
    pollfd p[2] = {{pipe[0], POLLIN, 0}, {h->helper_pidfd_, POLLIN, 0}};
    ::poll(p, h->helper_pidfd_ >= 0 ? 2 : 1, 100);
    pollfd now{pipe[0], POLLIN, 0};
    if (::poll(&now, 1, 0) == 1) {
      char byte;
      if (::read(pipe[0], &byte, 1) == 1) break;
    }
    if (helper_gone(helper)) {
      if (::poll(&now, 1, 0) == 1) continue;  // written just before it went
      plan.failed_step = ExecPlan::helper_killed;
      plan.error = 0;
      break;
    }
  }
  ::close(pipe[0]);
  ::close(pipe[1]);
  if (shared->program > 0) h->program_pidfd_ = open_pidfd(shared->program);
  return h;
}

pid_t SpawnHelper::program() const {
  return shared_->program;
}

void SpawnHelper::signal(int sig, bool group) const {
  const pid_t pid = shared_->program;
  if (pid <= 0 || exited_) return;
  if (group) ::kill(-pid, sig);
  if (program_pidfd_ >= 0)
    ::syscall(SYS_pidfd_send_signal, program_pidfd_, sig, nullptr, 0);
  else if (helper_pidfd_ < 0)  // no pidfds at all: by pid, as before them
    ::kill(pid, sig);
}

bool SpawnHelper::reap(bool block, std::optional<int>* status) {
  if (!exited_) {
    int rc;
    siginfo_t info{};
    const int options = WEXITED | __WALL | (block ? 0 : WNOHANG);
    do {
      // By pidfd where there is one: a pid can be another process's once
      // someone else reaped the helper. __WALL: a child without an exit
      // signal is invisible to waitid otherwise.
      rc = helper_pidfd_ >= 0 ? ::waitid(static_cast<idtype_t>(P_PIDFD),
                                         static_cast<id_t>(helper_pidfd_), &info, options)
                              : ::waitid(P_PID, static_cast<id_t>(helper_), &info, options);
    } while (rc < 0 && errno == EINTR);
    // ECHILD: something else reaped the helper (a host's wait with
    // __WALL); it had exited all the same, after leaving the status.
    if ((rc == 0 && info.si_pid != 0) || (rc < 0 && errno == ECHILD)) exited_ = true;
  }
  if (!exited_) return false;
  if (__atomic_load_n(&shared_->status_known, __ATOMIC_ACQUIRE) != 0)
    *status = shared_->wait_status;
  else
    *status = std::nullopt;
  return true;
}

SpawnHelper::~SpawnHelper() {
  if (shared_ != nullptr && !exited_) {
    signal(SIGKILL, false);
    std::optional<int> ignored;
    reap(true, &ignored);
  }
  if (helper_pidfd_ >= 0) ::close(helper_pidfd_);
  if (program_pidfd_ >= 0) ::close(program_pidfd_);
  if (mapping_ != nullptr) ::munmap(mapping_, mapping_size());
}

}  // namespace hotmod::process
