// bench/swap_bench.cpp — how long Runtime::reload() takes for a small,
// already-built library module.
//
// Figures: library_swap_ms_p50, library_swap_ms_p95.
// Options: --reloads=N (default 200), --warmup=N (default 10).
//
// The two builds of bench_mod (v1, v2) are staged in a temporary folder and
// read once, so they sit in the page cache. Before each reload the other
// build is hard-linked into the module folder and renamed over bench_mod.so
// (untimed); then only the reload() call is timed. Retired versions are
// unloaded between reloads, outside the timed region, so each reload starts
// from the same state. The median of every stage in ReloadStats::stages goes
// to stderr, to show where the time goes.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <hotmod/runtime.hpp>

#include "bench_util.hpp"

namespace hb = hotmod_bench;
using Clock = std::chrono::steady_clock;

namespace {

struct Build {
  hb::fs::path file;    // staged copy of the build
  std::string version;  // the version string it declares
};

// Reads `file` to the end, so it is in the page cache.
void read_whole(const hb::fs::path& file) {
  std::FILE* in = std::fopen(file.c_str(), "rb");
  if (in == nullptr) hb::fail("cannot read " + file.string());
  char buffer[1 << 16];
  while (std::fread(buffer, 1, sizeof buffer, in) == sizeof buffer) {
  }
  std::fclose(in);
}

// Puts `build` at `target` atomically: a hard link renamed into place.
void install(const Build& build, const hb::fs::path& target) {
  hb::fs::path next = build.file.parent_path() / "next.so";
  hb::fs::remove(next);
  hb::fs::create_hard_link(build.file, next);
  hb::fs::rename(next, target);
}

double ms(std::chrono::nanoseconds d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// Median of each stage, and of the time ReloadStats::duration holds that no
// stage accounts for.
void print_stages(const std::vector<hotmod::ReloadStats>& runs) {
  using S = hotmod::StageTimes;
  auto med = [&](auto us_of) {
    std::vector<double> v;
    for (const auto& r : runs) v.push_back(us_of(r));
    return hb::median(v);
  };
  auto stage = [&](std::chrono::nanoseconds S::*member) {
    return med([&](const hotmod::ReloadStats& r) { return ms(r.stages.*member) * 1000; });
  };
  double other = med([](const hotmod::ReloadStats& r) {
    const S& t = r.stages;
    return ms(r.duration - t.copy - t.open - t.validate - t.state - t.hooks - t.swap) * 1000;
  });
  std::fprintf(stderr,
               "reload stages, median us: copy %.1f  open %.1f  validate %.1f  state %.1f  "
               "hooks %.1f  swap %.1f  (in no stage %.1f)\n",
               stage(&S::copy), stage(&S::open), stage(&S::validate), stage(&S::state),
               stage(&S::hooks), stage(&S::swap), other);
}

}  // namespace

int main(int argc, char** argv) {
  const int reloads = hb::int_option(argc, argv, "reloads", 200);
  const int warmup = hb::int_option(argc, argv, "warmup", 10);

  hb::TempDir tmp("hotmod-bench-swap");
  hb::fs::create_directories(tmp.path() / "staged");
  hb::fs::create_directories(tmp.path() / "modules");
  const Build builds[2] = {{tmp.path() / "staged" / "v1.so", "1.0.0"},
                           {tmp.path() / "staged" / "v2.so", "2.0.0"}};
  hb::fs::copy_file(HOTMOD_BENCH_MODULE_V1, builds[0].file);
  hb::fs::copy_file(HOTMOD_BENCH_MODULE_V2, builds[1].file);
  ::sync();  // on disk, and (read back below) in the page cache
  for (const Build& b : builds) read_whole(b.file);
  const hb::fs::path target = tmp.path() / "modules" / "bench_mod.so";
  install(builds[0], target);

  hotmod::Runtime rt(hb::bench_options(tmp.path() / "modules", tmp.path()));
  auto mod = rt.module("bench_mod");
  if (!mod.ok()) hb::fail("loading bench_mod: " + mod.error().message);

  std::vector<double> wall_ms;
  std::vector<hotmod::ReloadStats> runs;
  for (int i = 0; i < warmup + reloads; ++i) {
    const Build& next = builds[(i + 1) % 2];
    install(next, target);

    auto start = Clock::now();
    hotmod::ReloadStats stats = rt.reload("bench_mod");
    auto took = Clock::now() - start;

    if (!stats.success) hb::fail("reload " + std::to_string(i) + " failed: " + stats.error);
    if (stats.version != next.version)
      hb::fail("reload " + std::to_string(i) + " runs version " + stats.version + ", expected " +
               next.version);
    rt.wait_for_unloads();
    if (i < warmup) continue;
    wall_ms.push_back(ms(took));
    runs.push_back(std::move(stats));
  }

  auto call = mod->call_as<int>("add_one", 41);
  if (!call.ok() || *call != 42) hb::fail("add_one(41) after the reloads is not 42");
  auto info = rt.info("bench_mod");
  std::vector<double> reported_ms;
  for (const auto& r : runs) reported_ms.push_back(ms(r.duration));
  std::fprintf(stderr, "%d reloads; ReloadStats::duration median %.3f ms; lingering images %zu\n",
               reloads, hb::median(reported_ms), info ? info->lingering_images : 0);
  print_stages(runs);

  hb::print_figure("library_swap_ms_p50", hb::median(wall_ms));
  hb::print_figure("library_swap_ms_p95", hb::percentile(wall_ms, 95));
}
