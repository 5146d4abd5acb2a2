// bench/repl_bench.cpp — `hotmod repl` started over a folder of 20 modules
// (10 libraries, 10 scripts) until it answers its first command.
//
// Figure: repl_ready_ms (goal: <= 50 ms).
// Options: --starts=N (default 20).
//
// Each start spawns the real binary with its stdin and stdout on pipes (so
// it runs as it does in a script: no prompt, no colour), writes
// `print(6 * 7)` and reads until "42" comes back; the time runs from just
// before the spawn to that answer. The process then gets EOF and must exit 0.
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "bench_util.hpp"

extern char** environ;

namespace hb = hotmod_bench;
using Clock = std::chrono::steady_clock;

namespace {

// Spawns `hotmod repl -M modules`, asks one question, returns the time to
// the answer in ms.
double one_start(const hb::fs::path& modules, const hb::fs::path& home) {
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) hb::fail("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  const std::string exe = HOTMOD_BENCH_CLI;
  const std::string dir = modules.string();
  std::vector<std::string> args = {exe, "repl", "-M", dir, "--log-level", "warn"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string home_var = "HOME=" + home.string();
  const std::string state_var = "XDG_STATE_HOME=" + (home / "state").string();
  std::vector<std::string> env_text = {home_var, state_var, "PATH=/usr/bin:/bin"};
  std::vector<char*> env;
  for (auto& e : env_text) env.push_back(e.data());
  env.push_back(nullptr);

  const auto start = Clock::now();
  pid_t pid = 0;
  if (posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv.data(), env.data()) != 0)
    hb::fail("cannot start " + exe);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out[1]);
  const std::string question = "print(6 * 7)\n";
  if (::write(in[1], question.data(), question.size()) != static_cast<ssize_t>(question.size()))
    hb::fail("cannot write to the repl");
  std::string answer;
  char buf[256];
  while (answer.find("42\n") == std::string::npos) {
    pollfd p{out[0], POLLIN, 0};
    if (::poll(&p, 1, 10000) <= 0) hb::fail("the repl did not answer within 10 s: " + answer);
    const ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n <= 0) hb::fail("the repl closed its output before answering: " + answer);
    answer.append(buf, static_cast<std::size_t>(n));
  }
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  ::close(in[1]);  // EOF: the session ends
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(out[0]);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    hb::fail("the repl did not exit cleanly at EOF");
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  const int starts = hb::int_option(argc, argv, "starts", 20);
  hb::TempDir scratch("hotmod-bench-repl");
  const hb::fs::path modules = scratch.path() / "modules";
  hb::fs::create_directories(modules / "scripts");
  for (int i = 0; i < 10; ++i) {
    const std::string n = std::to_string(i);
    hb::fs::copy_file(HOTMOD_BENCH_MODULE_V1, modules / std::string("lib").append(n).append(".so"));
    std::ofstream(modules / "scripts" / std::string("s").append(n).append(".lua"))
        << "return {answer = function() return " << i << " end}\n";
  }
  std::vector<double> samples;
  for (int i = 0; i < starts; ++i) samples.push_back(one_start(modules, scratch.path()));
  const double p50 = hb::median(samples);
  std::cerr << "repl_bench: " << starts << " starts over 20 modules, p50 " << p50 << " ms, p95 "
            << hb::percentile(samples, 95) << " ms; goal <= 50 ms\n";
  hb::print_figure("repl_ready_ms", p50);
  return 0;
}
