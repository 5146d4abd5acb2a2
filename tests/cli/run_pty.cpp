#include "run_pty.hpp"

#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <map>
#include <stdexcept>

namespace hotmod_test {
namespace {

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

OnTerminal::OnTerminal(const std::vector<std::string>& args, const RunOptions& options) {
  std::vector<std::string> argv_strings{HOTMOD_CLI_PATH};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::map<std::string, std::string> env{
      {"PATH", std::getenv("PATH") != nullptr ? std::getenv("PATH") : "/usr/bin:/bin"},
      {"HOME", (options.cwd / ".home").string()},
      {"XDG_CACHE_HOME", (options.cwd / ".home/.cache").string()},
      {"TERM", "xterm"},
      {"LANG", "C.UTF-8"},
  };
  for (const auto& [name, value] : options.env) env[name] = value;
  std::vector<std::string> env_strings;
  for (const auto& [name, value] : env) env_strings.push_back(name + "=" + value);
  // Everything the child needs is ready before fork(): after it, only
  // async-signal-safe calls.
  std::vector<char*> argv = pointers(argv_strings);
  std::vector<char*> envp = pointers(env_strings);
  const std::string cwd = options.cwd.string();
  winsize size{};
  size.ws_row = 40;
  size.ws_col = 120;
  pid_ = ::forkpty(&master_, nullptr, nullptr, &size);
  if (pid_ < 0) throw std::runtime_error("forkpty failed");
  if (pid_ == 0) {
    if (::chdir(cwd.c_str()) == 0) ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
}

OnTerminal::~OnTerminal() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  if (master_ >= 0) ::close(master_);
}

void OnTerminal::type(std::string_view keys) {
  while (!keys.empty()) {
    const ssize_t n = ::write(master_, keys.data(), keys.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error("cannot type into the terminal");
    keys.remove_prefix(static_cast<std::size_t>(n));
  }
}

void OnTerminal::read_some(std::chrono::milliseconds timeout) {
  pollfd fd{master_, POLLIN, 0};
  if (::poll(&fd, 1, static_cast<int>(timeout.count())) <= 0) return;
  char buffer[4096];
  const ssize_t n = ::read(master_, buffer, sizeof buffer);
  if (n > 0) screen_.append(buffer, static_cast<std::size_t>(n));
}

std::size_t OnTerminal::wait_for(std::string_view text, std::size_t from,
                                 std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (const std::size_t at = screen_.find(text, from); at != std::string::npos)
      return at + text.size();
    if (std::chrono::steady_clock::now() > deadline) return std::string::npos;
    read_some(std::chrono::milliseconds(50));
  }
}

int OnTerminal::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) return -2;
    read_some(std::chrono::milliseconds(50));  // a full terminal would block it
  }
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace hotmod_test
