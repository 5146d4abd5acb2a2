#include "run_hotmod.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace hotmod_test {
namespace fs = std::filesystem;
namespace {

std::string read_all(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> environment_for(const RunOptions& options) {
  std::map<std::string, std::string> env{
      {"PATH", std::getenv("PATH") != nullptr ? std::getenv("PATH") : "/usr/bin:/bin"},
      {"HOME", (options.cwd / ".home").string()},
      {"XDG_CACHE_HOME", (options.cwd / ".home/.cache").string()},
  };
  for (const auto& [name, value] : options.env) env[name] = value;
  std::vector<std::string> out;
  for (const auto& [name, value] : env) out.push_back(name + "=" + value);
  return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Starts the binary with stdout and stderr going to `out` and `err`; the
// file actions for stdin are the caller's.
pid_t spawn(const std::vector<std::string>& args, const RunOptions& options,
            posix_spawn_file_actions_t* actions, const fs::path& out, const fs::path& err) {
  std::vector<std::string> argv_strings{HOTMOD_CLI_PATH};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<std::string> env_strings = environment_for(options);
  std::vector<char*> argv = pointers(argv_strings);
  std::vector<char*> envp = pointers(env_strings);
  posix_spawn_file_actions_addopen(actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addchdir_np(actions, options.cwd.c_str());
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0], actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(actions);
  if (rc != 0) throw std::runtime_error("cannot run " + argv_strings[0]);
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Distinct output files for runs that overlap in one folder.
std::string unique_suffix() {
  static std::atomic<int> n{0};
  return std::to_string(::getpid()) + "-" + std::to_string(n++);
}

}  // namespace

Ran run_hotmod(const std::vector<std::string>& args, const RunOptions& options) {
  const std::string suffix = unique_suffix();
  const fs::path out_file = options.cwd / (".hotmod-stdout-" + suffix);
  const fs::path err_file = options.cwd / (".hotmod-stderr-" + suffix);
  const fs::path in_file = options.cwd / (".hotmod-stdin-" + suffix);
  if (options.input) std::ofstream(in_file, std::ios::binary) << *options.input;

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, options.input ? in_file.c_str() : "/dev/null",
                                   O_RDONLY, 0);
  const pid_t pid = spawn(args, options, &actions, out_file, err_file);
  Ran run;
  run.exit_code = wait_exit(pid);
  run.out = read_all(out_file);
  run.err = read_all(err_file);
  fs::remove(out_file);
  fs::remove(err_file);
  fs::remove(in_file);
  return run;
}

Background::Background(const std::vector<std::string>& args, const RunOptions& options) {
  ::signal(SIGPIPE, SIG_IGN);  // a write after it ended fails instead of killing the test
  const std::string suffix = unique_suffix();
  out_file_ = options.cwd / (".hotmod-bg-stdout-" + suffix);
  err_file_ = options.cwd / (".hotmod-bg-stderr-" + suffix);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], 0);  // dup2 clears O_CLOEXEC
  pid_ = spawn(args, options, &actions, out_file_, err_file_);
  ::close(fds[0]);
  stdin_ = fds[1];
}

Background::~Background() {
  close_stdin();
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    wait_exit(pid_);
  }
  std::error_code ec;
  fs::remove(out_file_, ec);
  fs::remove(err_file_, ec);
}

void Background::write(std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(stdin_, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error("cannot write to hotmod's stdin");
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

void Background::close_stdin() {
  if (stdin_ >= 0) ::close(stdin_);
  stdin_ = -1;
}

void Background::signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

std::string Background::out() const {
  return read_all(out_file_);
}

std::string Background::err() const {
  return read_all(err_file_);
}

bool Background::wait_for_out(std::string_view text, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out().find(text) == std::string::npos) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

Ran Background::wait() {
  close_stdin();
  Ran run;
  run.exit_code = wait_exit(pid_);
  pid_ = -1;
  run.out = out();
  run.err = err();
  return run;
}

}  // namespace hotmod_test
