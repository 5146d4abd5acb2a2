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

#include <chrono>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "bench_util.hpp"
#include "process/child.hpp"

namespace hb = hotmod_bench;
using Clock = std::chrono::steady_clock;

namespace {

// Spawns `hotmod repl -M modules`, asks one question, returns the time to
// the answer in ms.
double one_start(const hb::fs::path& modules, const hb::fs::path& home) {
  hotmod::process::Command command;
  command.argv = {HOTMOD_BENCH_CLI, "repl", "-M", modules.string(), "--log-level", "warn"};
  command.environment = {"HOME=" + home.string(), "XDG_STATE_HOME=" + (home / "state").string(),
                         "PATH=/usr/bin:/bin"};
  command.inherit_environment = false;
  hotmod::process::Streams streams;
  streams.input = hotmod::process::Streams::Input::pipe;

  const auto start = Clock::now();
  hotmod::Result<hotmod::process::Child> child = hotmod::process::Child::spawn(command, streams);
  if (!child.ok()) hb::fail(child.error().message);
  if (!child->write("print(6 * 7)\n")) hb::fail("cannot write to the repl");
  std::string answer;
  while (answer.find("42\n") == std::string::npos) {
    const auto waited = Clock::now() - start;
    if (waited > std::chrono::seconds(10))
      hb::fail("the repl did not answer within 10 s: " + answer);
    if (!child->read(answer, std::chrono::milliseconds(1000)))
      hb::fail("the repl closed its output before answering: " + answer);
  }
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  child->close_stdin();  // EOF: the session ends
  const hotmod::process::Exit exit = child->wait();
  if (exit.signal != 0 || exit.code != 0) hb::fail("the repl did not exit cleanly at EOF");
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
