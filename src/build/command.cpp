#include "build/command.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hotmod::build {
namespace {

using Clock = std::chrono::steady_clock;

// A screenful of compiler errors many times over; a runaway command must not
// grow the host's memory without bound. The first errors matter most, the
// last lines say how it ended: keep both.
constexpr std::size_t kKeepHead = 256 * 1024;
constexpr std::size_t kKeepTail = 768 * 1024;
constexpr auto kKillAfter = std::chrono::seconds(2);
constexpr auto kDrainAfterExit = std::chrono::milliseconds(200);

class Output {
 public:
  void add(const char* data, std::size_t n) {
    if (head_.size() < kKeepHead) {
      std::size_t take = std::min(n, kKeepHead - head_.size());
      head_.append(data, take);
      data += take;
      n -= take;
    }
    if (n == 0) return;
    tail_.append(data, n);
    if (tail_.size() > kKeepTail) {
      cut_ += tail_.size() - kKeepTail;
      tail_.erase(0, tail_.size() - kKeepTail);
    }
  }
  std::string take() {
    if (cut_ == 0) return head_ + tail_;
    return head_ + "\n[... " + std::to_string(cut_) + " bytes of output left out ...]\n" + tail_;
  }

 private:
  std::string head_, tail_;
  std::size_t cut_ = 0;
};

std::string errno_text(int e) {
  return std::strerror(e);
}

}  // namespace

std::string CommandResult::describe() const {
  if (!started) return error;
  if (cancelled) return "cancelled";
  if (signal != 0) return "killed by signal " + std::to_string(signal);
  return "exit code " + std::to_string(exit_code);
}

CommandResult run_command(const std::string& command, const std::filesystem::path& directory,
                          const std::atomic<bool>* cancel) {
  CommandResult result;
  const auto start = Clock::now();
  const std::string dir = directory.empty() ? std::string(".") : directory.string();
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    result.error = "its folder '" + dir + "' does not exist";
    return result;
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    result.error = "cannot create a pipe: " + errno_text(errno);
    return result;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);  // one stream, in order
  posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group, so cancelling reaches what the shell started;
  // default signal handling and mask, whatever the host set for itself.
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  const char* args[] = {"/bin/sh", "-c", command.c_str(), nullptr};
  pid_t pid = -1;
  int rc = posix_spawn(&pid, "/bin/sh", &actions, &attr, const_cast<char* const*>(args), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    result.error = "cannot start /bin/sh: " + errno_text(rc);
    return result;
  }
  result.started = true;

  Output out;
  bool pipe_open = true, exited = false;
  Clock::time_point exit_time{}, term_time{};
  char buf[65536];
  while (!exited || (pipe_open && Clock::now() - exit_time < kDrainAfterExit)) {
    if (pipe_open) {
      pollfd p{fds[0], POLLIN, 0};
      if (::poll(&p, 1, 20) > 0) {
        ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n > 0) out.add(buf, static_cast<std::size_t>(n));
        if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) pipe_open = false;
      }
    } else if (!exited) {
      ::usleep(5000);
    }
    if (!exited) {
      int status = 0;
      pid_t w = ::waitpid(pid, &status, WNOHANG);
      if (w == pid) {
        exited = true;
        exit_time = Clock::now();
        if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
        if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
      } else if (w < 0 && errno == ECHILD) {  // the host reaped it (waitpid(-1))
        exited = true;
        exit_time = Clock::now();
        result.exit_code = -1;
      }
    }
    if (!exited && cancel != nullptr && cancel->load()) {
      if (!result.cancelled) {
        result.cancelled = true;
        term_time = Clock::now();
        ::kill(-pid, SIGTERM);
      } else if (Clock::now() - term_time > kKillAfter) {
        ::kill(-pid, SIGKILL);
      }
    }
  }
  ::close(fds[0]);
  result.output = out.take();
  result.duration = Clock::now() - start;
  return result;
}

}  // namespace hotmod::build
