#include "run_hotmod.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "files.hpp"
#include "process/child.hpp"

namespace hotmod_test {
namespace fs = std::filesystem;
namespace {

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

// The binary with `args`, stdout and stderr going to `out` and `err`.
hotmod::process::Child spawn(const std::vector<std::string>& args, const RunOptions& options,
                             hotmod::process::Streams streams, const fs::path& out,
                             const fs::path& err) {
  hotmod::process::Command command;
  command.argv = {HOTMOD_CLI_PATH};
  command.argv.insert(command.argv.end(), args.begin(), args.end());
  command.directory = options.cwd;
  command.environment = environment_for(options);
  command.inherit_environment = false;
  streams.output = hotmod::process::Streams::Output::files;
  streams.stdout_file = out;
  streams.stderr_file = err;
  streams.own_group = false;  // like a command a user types: signals go to it alone
  hotmod::Result<hotmod::process::Child> child = hotmod::process::Child::spawn(command, streams);
  if (!child.ok()) throw std::runtime_error(child.error().message);
  return std::move(child.value());
}

int exit_code(const hotmod::process::Exit& exit) {
  return exit.signal == 0 ? exit.code : -1;
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
  hotmod::process::Streams streams;
  if (options.input) {
    std::ofstream(in_file, std::ios::binary) << *options.input;
    streams.input = hotmod::process::Streams::Input::file;
    streams.input_file = in_file;
  }
  hotmod::process::Child child = spawn(args, options, streams, out_file, err_file);
  Ran run;
  run.exit_code = exit_code(child.wait());
  run.out = read_file(out_file);
  run.err = read_file(err_file);
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
  hotmod::process::Streams streams;
  streams.input = hotmod::process::Streams::Input::pipe;
  child_.emplace(spawn(args, options, streams, out_file_, err_file_));
}

Background::~Background() {
  child_.reset();  // killed (SIGKILL) and reaped if it still runs
  std::error_code ec;
  fs::remove(out_file_, ec);
  fs::remove(err_file_, ec);
}

void Background::write(std::string_view text) {
  if (!child_->write(text)) throw std::runtime_error("cannot write to hotmod's stdin");
}

void Background::close_stdin() {
  child_->close_stdin();
}

void Background::signal(int sig) {
  child_->signal(sig);
}

std::string Background::out() const {
  return read_file(out_file_);
}

std::string Background::err() const {
  return read_file(err_file_);
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
  child_->close_stdin();
  Ran run;
  run.exit_code = exit_code(child_->wait());
  run.out = out();
  run.err = err();
  return run;
}

}  // namespace hotmod_test
