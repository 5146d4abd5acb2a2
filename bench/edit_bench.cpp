// bench/edit_bench.cpp — from a library module's .so being replaced on disk
// to the new code answering calls, with nothing but the runtime's own
// watcher in between (dev mode, default settings: kernel watcher; a
// library's file is complete once renamed into place or closed, so the
// debounce, which gathers an editor's writes, does not apply to it).
//
// Figure: library_edit_to_running_ms_p50 (goal: <= 5 ms).
// Options: --edits=N (default 40).
//
// Each edit renames the other build of bench_mod over bench_mod.so (an
// atomic save, as a careful build tool does) and then calls `build` in a
// loop until the other build answers. The time is taken from just before
// the rename to the first answer from the new code.
#include <chrono>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

#include <hotmod/runtime.hpp>

#include "bench_util.hpp"

namespace hb = hotmod_bench;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  const int edits = hb::int_option(argc, argv, "edits", 40);
  hb::TempDir scratch("hotmod-bench-edit");
  const hb::fs::path modules = scratch.path() / "modules";
  const hb::fs::path staged = scratch.path() / "staged";
  hb::fs::create_directories(modules);
  hb::fs::create_directories(staged);
  const hb::fs::path builds[2] = {staged / "v1.so", staged / "v2.so"};
  hb::fs::copy_file(HOTMOD_BENCH_MODULE_V1, builds[0]);
  hb::fs::copy_file(HOTMOD_BENCH_MODULE_V2, builds[1]);
  const hb::fs::path target = modules / "bench_mod.so";
  hb::fs::copy_file(builds[0], target);

  hotmod::RuntimeOptions opts = hb::bench_options(modules, scratch.path());
  opts.dev_mode = true;  // everything else as a host gets it by default
  hotmod::Runtime rt(opts);
  if (!rt.watching()) hb::fail("the runtime is not watching its module path");
  auto m = rt.module("bench_mod");
  if (!m) hb::fail(m.error().message);
  // Where the time goes: the reload itself, as the runtime measured it.
  std::vector<double> reload_ms;
  std::mutex reload_mu;
  rt.on_reload([&](const hotmod::ReloadStats& s) {
    std::lock_guard lock(reload_mu);
    if (!s.first_load)
      reload_ms.push_back(std::chrono::duration<double, std::milli>(s.duration).count());
  });

  std::vector<double> samples;
  int current = 1;
  for (int i = 0; i < edits; ++i) {
    const int next = current == 1 ? 2 : 1;
    const hb::fs::path link = staged / "next.so";
    hb::fs::remove(link);
    hb::fs::create_hard_link(builds[next - 1], link);
    const auto start = Clock::now();
    hb::fs::rename(link, target);
    for (;;) {
      auto r = m->call_as<int>("build");
      if (r && *r == next) break;
      if (Clock::now() - start > std::chrono::seconds(10))
        hb::fail("the new build did not answer within 10 s");
      std::this_thread::yield();
    }
    samples.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    current = next;
    rt.wait_for_unloads();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // let the machine settle
  }
  const double p50 = hb::median(samples);
  std::cerr << "edit_bench: " << edits << " edits, p50 " << p50 << " ms, p95 "
            << hb::percentile(samples, 95) << " ms; goal <= 5 ms; the reload itself (p50) "
            << hb::median(reload_ms) << " ms\n";
  hb::print_figure("library_edit_to_running_ms_p50", p50);
  return 0;
}
