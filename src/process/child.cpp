#include "process/child.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include <fmt/format.h>

extern char** environ;

namespace hotmod::process {
namespace {

// The environment `command` asks for, as "NAME=VALUE" strings.
std::vector<std::string> environment_of(const Command& command) {
  std::vector<std::string> env;
  if (command.inherit_environment)
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) env.emplace_back(*e);
  for (const std::string& entry : command.environment) {
    const std::string name = entry.substr(0, entry.find('=') + 1);
    std::erase_if(env, [&](const std::string& e) { return e.starts_with(name); });
    env.push_back(entry);
  }
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

int open_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  const long fd = ::syscall(SYS_pidfd_open, pid, 0);
  return fd < 0 ? -1 : static_cast<int>(fd);
#else
  (void)pid;
  return -1;
#endif
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// posix_spawn's file actions and attributes, released however spawn() returns.
struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

}  // namespace

Command shell(std::string command_line, std::filesystem::path directory) {
  Command c;
  c.argv = {"/bin/sh", "-c", std::move(command_line)};
  c.directory = std::move(directory);
  return c;
}

Result<Child> Child::spawn(const Command& command, const Streams& streams) {
  if (command.argv.empty())
    return Error{Stage::process, Failure::spawn_failed, "nothing to run: the command is empty"};
  const std::string& program = command.argv.front();
  const std::string dir = command.directory.empty() ? "." : command.directory.string();
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    return Error{Stage::process, Failure::spawn_failed,
                 fmt::format("cannot run {}: its folder '{}' does not exist", program, dir)};

  Child child;
  int in_pipe[2] = {-1, -1};
  int out_pipe[2] = {-1, -1};
  auto fail = [&](const std::string& what, int error) -> Result<Child> {
    for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1]})
      if (fd >= 0) ::close(fd);
    return Error{Stage::process, Failure::spawn_failed,
                 fmt::format("cannot run {}: {}: {}", program, what, std::strerror(error))};
  };
  if (streams.input == Streams::Input::pipe && ::pipe2(in_pipe, O_CLOEXEC) != 0)
    return fail("cannot create a pipe", errno);
  if (streams.output == Streams::Output::pipe && ::pipe2(out_pipe, O_CLOEXEC) != 0)
    return fail("cannot create a pipe", errno);

  SpawnSetup setup;
  switch (streams.input) {
    case Streams::Input::null:
      posix_spawn_file_actions_addopen(&setup.actions, 0, "/dev/null", O_RDONLY, 0);
      break;
    case Streams::Input::pipe:
      posix_spawn_file_actions_adddup2(&setup.actions, in_pipe[0], 0);
      break;
    case Streams::Input::file:
      posix_spawn_file_actions_addopen(&setup.actions, 0, streams.input_file.c_str(), O_RDONLY, 0);
      break;
  }
  switch (streams.output) {
    case Streams::Output::pipe:
      posix_spawn_file_actions_adddup2(&setup.actions, out_pipe[1], 1);
      posix_spawn_file_actions_adddup2(&setup.actions, out_pipe[1], 2);  // one stream, in order
      break;
    case Streams::Output::files:
      posix_spawn_file_actions_addopen(&setup.actions, 1, streams.stdout_file.c_str(),
                                       O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (streams.stderr_file == streams.stdout_file)  // one file, one offset: in order
        posix_spawn_file_actions_adddup2(&setup.actions, 1, 2);
      else
        posix_spawn_file_actions_addopen(&setup.actions, 2, streams.stderr_file.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0600);
      break;
    case Streams::Output::inherit:
      break;
  }
  posix_spawn_file_actions_addchdir_np(&setup.actions, dir.c_str());
  // The child starts with every signal at its default and none blocked,
  // whatever the calling thread blocks or the host handles.
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&setup.attr, &none);
  posix_spawnattr_setsigdefault(&setup.attr, &all);
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (streams.own_group) {
    flags |= POSIX_SPAWN_SETPGROUP;
    posix_spawnattr_setpgroup(&setup.attr, 0);
  }
  posix_spawnattr_setflags(&setup.attr, flags);

  std::vector<std::string> argv_strings = command.argv;
  std::vector<std::string> env_strings = environment_of(command);
  std::vector<char*> argv = pointers(argv_strings);
  std::vector<char*> envp = pointers(env_strings);
  // posix_spawnp looks a bare name up in $PATH (the host's), like a shell.
  const int rc = ::posix_spawnp(&child.pid_, program.c_str(), &setup.actions, &setup.attr,
                                argv.data(), envp.data());
  if (rc != 0) {
    child.pid_ = -1;
    return fail(rc == ENOENT ? "not found (is it installed, and in PATH?)" : "spawn failed", rc);
  }
  child.own_group_ = streams.own_group;
  child.pidfd_ = open_pidfd(child.pid_);
  if (in_pipe[0] >= 0) ::close(in_pipe[0]);
  if (out_pipe[1] >= 0) ::close(out_pipe[1]);
  child.stdin_ = in_pipe[1];
  child.output_ = out_pipe[0];
  return child;
}

Child::Child(Child&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      pidfd_(std::exchange(other.pidfd_, -1)),
      stdin_(std::exchange(other.stdin_, -1)),
      output_(std::exchange(other.output_, -1)),
      own_group_(other.own_group_),
      exit_(std::exchange(other.exit_, std::nullopt)) {}

Child& Child::operator=(Child&& other) noexcept {
  Child old(std::move(*this));  // ends what this held, once it goes
  pid_ = std::exchange(other.pid_, -1);
  pidfd_ = std::exchange(other.pidfd_, -1);
  stdin_ = std::exchange(other.stdin_, -1);
  output_ = std::exchange(other.output_, -1);
  own_group_ = other.own_group_;
  exit_ = std::exchange(other.exit_, std::nullopt);
  return *this;
}

Child::~Child() {
  if (pid_ > 0 && !exit_) {
    signal(SIGKILL);
    reap(true);
  }
  close_all();
}

void Child::close_all() {
  close_fd(pidfd_);
  close_fd(stdin_);
  close_fd(output_);
}

bool Child::write(std::string_view text) {
  while (!text.empty() && stdin_ >= 0) {
    const ssize_t n = ::write(stdin_, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return stdin_ >= 0;
}

void Child::close_stdin() {
  close_fd(stdin_);
}

void Child::signal(int sig) {
  if (pid_ <= 0 || exit_) return;
  if (own_group_) ::kill(-pid_, sig);
  ::kill(pid_, sig);
}

bool Child::read(std::string& out, std::chrono::milliseconds timeout) {
  if (output_ < 0) return false;
  // Its exit wakes the wait too, so a caller reading and waiting in turn
  // notices the exit at once even while a process it left holds the pipe.
  pollfd p[2] = {{output_, POLLIN, 0}, {exit_ ? -1 : pidfd_, POLLIN, 0}};
  const int ready = ::poll(p, 2, static_cast<int>(timeout.count()));
  if (ready <= 0) return ready == 0 || errno == EINTR;
  if (p[1].revents != 0) reap(false);
  if (p[0].revents == 0) return true;
  char buf[65536];
  const ssize_t n = ::read(output_, buf, sizeof buf);
  if (n > 0) {
    out.append(buf, static_cast<std::size_t>(n));
    return true;
  }
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  close_fd(output_);
  return false;
}

bool Child::reap(bool block) {
  if (exit_) return true;
  if (pid_ <= 0) return false;
  int status = 0;
  pid_t w;
  do {
    w = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
  } while (w < 0 && errno == EINTR);
  if (w == pid_) {
    Exit e;
    if (WIFEXITED(status)) e.code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) e.signal = WTERMSIG(status);
    exit_ = e;
  } else if (w < 0 && errno == ECHILD) {
    exit_ = Exit{};  // the host reaped it (a waitpid(-1) of its own): how it ended is lost
  }
  return exit_.has_value();
}

std::optional<Exit> Child::wait_for(std::chrono::milliseconds timeout) {
  if (reap(false)) return exit_;
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    if (pidfd_ >= 0) {
      pollfd p{pidfd_, POLLIN, 0};
      ::poll(&p, 1, static_cast<int>(left.count()));
    } else {
      // No pidfd (an old kernel, a seccomp filter): look again shortly.
      pollfd none{-1, 0, 0};
      ::poll(&none, 1, static_cast<int>(std::min<long>(left.count(), 5)));
    }
    if (reap(false)) return exit_;
  }
}

Exit Child::wait() {
  reap(true);
  return exit_ ? *exit_ : Exit{};
}

std::string shell_quote(std::string_view arg) {
  if (!arg.empty() && arg.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                            "0123456789-_./=+:,@%") == std::string_view::npos)
    return std::string(arg);
  std::string out = "'";
  for (char c : arg) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

std::string shell_join(const std::vector<std::string>& args) {
  std::string out;
  for (const std::string& a : args) {
    if (!out.empty()) out += ' ';
    out += shell_quote(a);
  }
  return out;
}

}  // namespace hotmod::process
