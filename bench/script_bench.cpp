// bench/script_bench.cpp — Runtime::reload() of a 200-line Lua module, from
// the call to the new chunk answering: read the file, compile and run the
// chunk in a fresh sandboxed environment, hooks, swap.
//
// Figure: script_reload_ms_p50 (goal: <= 2 ms).
// Options: --reloads=N (default 200).
//
// The module is generated: 40 exported functions of a few lines each, local
// helpers, a table of constants and hotmod.state use — 200 lines in all.
// Each reload alternates between two texts that differ in one constant, and
// the time runs until a call returns the new constant.
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include <hotmod/runtime.hpp>

#include "bench_util.hpp"

namespace hb = hotmod_bench;
using Clock = std::chrono::steady_clock;

namespace {

// 200 lines of ordinary Lua, `version()` answering `v`.
std::string module_text(int v) {
  std::ostringstream s;
  s << "-- generated for the script reload benchmark\n"      // 1
    << "hotmod.state.calls = hotmod.state.calls or 0\n"      // 2
    << "local M = {_version = '" << v << "'}\n"              // 3
    << "local limits = {low = 1, high = 100, step = 3}\n"    // 4
    << "local function clamp(x)\n"                           // 5
    << "  if x < limits.low then return limits.low end\n"    // 6
    << "  if x > limits.high then return limits.high end\n"  // 7
    << "  return x\n"                                        // 8
    << "end\n"                                               // 9
    << "function M.version() return " << v << " end\n";      // 10
  for (int i = 0; i < 38; ++i) {                             // 38 x 5 = 190
    s << "function M.f" << i << "(a, b)\n"
      << "  hotmod.state.calls = hotmod.state.calls + 1\n"
      << "  local t = {a or 0, b or " << i << ", " << i * 7 << "}\n"
      << "  return clamp(t[1] + t[2] * limits.step - t[3])\n"
      << "end\n";
  }
  return s.str() + "return M\n";  // 201
}

void write(const hb::fs::path& file, const std::string& text) {
  const hb::fs::path tmp = file.string() + ".tmp";
  std::ofstream(tmp) << text;
  hb::fs::rename(tmp, file);
}

}  // namespace

int main(int argc, char** argv) {
  const int reloads = hb::int_option(argc, argv, "reloads", 200);
  hb::TempDir scratch("hotmod-bench-script");
  const hb::fs::path modules = scratch.path() / "modules";
  hb::fs::create_directories(modules);
  const hb::fs::path file = modules / "bench_script.lua";
  const std::string texts[2] = {module_text(1), module_text(2)};
  write(file, texts[0]);

  hotmod::RuntimeOptions opts = hb::bench_options(modules, scratch.path());
  hotmod::Runtime rt(opts);
  auto m = rt.module("bench_script");
  if (!m) hb::fail(m.error().message);

  std::vector<double> samples, runtime_ms;
  for (int i = 0; i < reloads; ++i) {
    const int next = i % 2 == 0 ? 2 : 1;
    write(file, texts[next - 1]);
    const auto start = Clock::now();
    hotmod::ReloadStats stats = rt.reload("bench_script");
    auto r = m->call_as<int>("version");
    const auto end = Clock::now();
    if (!stats.success) hb::fail("reload failed: " + stats.error);
    if (!r || *r != next) hb::fail("the new chunk did not answer");
    samples.push_back(std::chrono::duration<double, std::milli>(end - start).count());
    runtime_ms.push_back(std::chrono::duration<double, std::milli>(stats.duration).count());
  }
  const double p50 = hb::median(samples);
  std::cerr << "script_bench: " << reloads << " reloads of a 200-line module, p50 " << p50
            << " ms, p95 " << hb::percentile(samples, 95)
            << " ms (the runtime's own timing, p50: " << hb::median(runtime_ms)
            << " ms); goal <= 2 ms\n";
  hb::print_figure("script_reload_ms_p50", p50);
  return 0;
}
