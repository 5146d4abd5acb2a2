#include "process/child.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "process/spawn_helper.hpp"

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

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Where execvp would look for `program`: itself when it holds a '/', else
// each folder of the host's $PATH (an empty entry is the current folder).
std::vector<std::string> candidates_for(const std::string& program) {
  if (program.find('/') != std::string::npos) return {program};
  const char* path = std::getenv("PATH");
  std::string_view folders = path != nullptr ? path : "/bin:/usr/bin";
  std::vector<std::string> out;
  for (;;) {
    const std::size_t colon = folders.find(':');
    const std::string_view folder = folders.substr(0, colon);
    out.push_back(folder.empty() ? program : fmt::format("{}/{}", folder, program));
    if (colon == std::string_view::npos) break;
    folders.remove_prefix(colon + 1);
  }
  return out;
}

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

  ExecPlan plan;
  auto redirect = [&](ExecPlan::Redirect r) { plan.redirects[plan.redirect_count++] = r; };
  using Kind = ExecPlan::Redirect::Kind;
  switch (streams.input) {
    case Streams::Input::null:
      redirect({Kind::open, 0, "/dev/null", O_RDONLY, -1});
      break;
    case Streams::Input::pipe:
      redirect({Kind::dup, 0, nullptr, 0, in_pipe[0]});
      break;
    case Streams::Input::file:
      redirect({Kind::open, 0, streams.input_file.c_str(), O_RDONLY, -1});
      break;
  }
  const int write_flags = O_WRONLY | O_CREAT | O_TRUNC;
  switch (streams.output) {
    case Streams::Output::pipe:
      redirect({Kind::dup, 1, nullptr, 0, out_pipe[1]});
      redirect({Kind::dup, 2, nullptr, 0, out_pipe[1]});  // one stream, in order
      break;
    case Streams::Output::files:
      redirect({Kind::open, 1, streams.stdout_file.c_str(), write_flags, -1});
      if (streams.stderr_file == streams.stdout_file)  // one file, one offset: in order
        redirect({Kind::dup, 2, nullptr, 0, 1});
      else
        redirect({Kind::open, 2, streams.stderr_file.c_str(), write_flags, -1});
      break;
    case Streams::Output::inherit:
      break;
  }
  plan.directory = dir.c_str();
  plan.own_group = streams.own_group;

  std::vector<std::string> candidates = candidates_for(program);
  std::vector<char*> candidate_pointers = pointers(candidates);
  std::vector<std::string> argv_strings = command.argv;
  std::vector<std::string> env_strings = environment_of(command);
  std::vector<char*> argv = pointers(argv_strings);
  std::vector<char*> envp = pointers(env_strings);
  plan.candidates = candidate_pointers.data();
  plan.argv = argv.data();
  plan.envp = envp.data();
  int start_error = 0;
  std::unique_ptr<SpawnHelper> helper = SpawnHelper::start(plan, &start_error);
  if (!helper) return fail("cannot start a process", start_error);
  if (plan.failed_step != ExecPlan::none) {
    switch (plan.failed_step) {
      case ExecPlan::exec:
        return fail(plan.error == ENOENT ? "not found (is it installed, and in PATH?)"
                                         : "it could not be executed",
                    plan.error);
      case ExecPlan::enter_directory:
        return fail(fmt::format("cannot enter its folder '{}'", dir), plan.error);
      case ExecPlan::new_group:
        return fail("cannot give it a process group of its own", plan.error);
      case ExecPlan::clone_program:
        return fail("cannot start a process", plan.error);
      case ExecPlan::helper_killed:
        return fail("the process starting it was killed", ESRCH);
      default: {
        const ExecPlan::Redirect& r = plan.redirects[plan.failed_step];
        return fail(r.path != nullptr ? fmt::format("cannot open '{}' for its {}", r.path,
                                                    r.target == 0 ? "input" : "output")
                                      : "cannot redirect its standard streams",
                    plan.error);
      }
    }
  }
  child.pid_ = helper->program();
  child.helper_ = std::move(helper);
  child.own_group_ = streams.own_group;
  if (in_pipe[0] >= 0) ::close(in_pipe[0]);
  if (out_pipe[1] >= 0) ::close(out_pipe[1]);
  child.stdin_ = in_pipe[1];
  child.output_ = out_pipe[0];
  return child;
}

Child::Child(Child&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      helper_(std::move(other.helper_)),
      stdin_(std::exchange(other.stdin_, -1)),
      output_(std::exchange(other.output_, -1)),
      own_group_(other.own_group_),
      exit_(std::exchange(other.exit_, std::nullopt)) {}

Child& Child::operator=(Child&& other) noexcept {
  Child old(std::move(*this));  // ends what this held, once it goes
  pid_ = std::exchange(other.pid_, -1);
  helper_ = std::move(other.helper_);
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
  helper_.reset();
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
  if (pid_ <= 0 || exit_ || !helper_) return;
  helper_->signal(sig, own_group_);
}

bool Child::read(std::string& out, std::chrono::milliseconds timeout) {
  if (output_ < 0) return false;
  // Its exit wakes the wait too, so a caller reading and waiting in turn
  // notices the exit at once even while a process it left holds the pipe.
  pollfd p[2] = {{output_, POLLIN, 0}, {exit_ || !helper_ ? -1 : helper_->exit_fd(), POLLIN, 0}};
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
  if (!helper_) return false;
  std::optional<int> status;
  if (!helper_->reap(block, &status)) return false;
  Exit e;
  if (!status)
    e.status_lost = true;  // its helper was killed before it could collect it
  else if (WIFEXITED(*status))
    e.code = WEXITSTATUS(*status);
  else if (WIFSIGNALED(*status))
    e.signal = WTERMSIG(*status);
  exit_ = e;
  return true;
}

std::optional<Exit> Child::wait_for(std::chrono::milliseconds timeout) {
  if (reap(false)) return exit_;
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    if (const int exited = helper_ ? helper_->exit_fd() : -1; exited >= 0) {
      pollfd p{exited, POLLIN, 0};
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
