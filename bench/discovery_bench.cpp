// bench/discovery_bench.cpp — how long finding the modules in a large tree
// takes.
//
// Figures: discovery_ms_per_1000
//          discovery_to_walk_ratio  the same over a bare recursive walk of the
//                                   tree (std::filesystem, every entry's type,
//                                   nothing opened), timed in the same runs
// Options: --files=N (default 1000, in folders of 100), --runs=N (default 9).
//
// The tree holds the real bench module under distinct names (d0/m000.so ...
// d9/m099.so): hard links to one staged copy, so it costs no disk space, and
// a discovery that reads descriptors reads genuine ones (from the page cache,
// as after any warm-up). The runtime discovers in its constructor, so the figure times
// the constructor (an upper bound: it also starts the unload thread), median
// of the timed runs scaled to 1,000 files; one untimed run warms the page
// cache first. A later rescan (refresh() with nothing changed) goes to stderr.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <hotmod/runtime.hpp>

#include "bench_util.hpp"

namespace hb = hotmod_bench;
using Clock = std::chrono::steady_clock;

namespace {

void make_tree(const hb::fs::path& root, int files) {
  const hb::fs::path staged = root.parent_path() / "staged.so";
  hb::fs::copy_file(HOTMOD_BENCH_MODULE_V1, staged);
  for (int i = 0; i < files; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "d%d/m%03d.so", i / 100, i % 100);
    hb::fs::path file = root / name;
    hb::fs::create_directories(file.parent_path());
    hb::fs::create_hard_link(staged, file);
  }
}

struct Timing {
  double construct_ms;  // Runtime's constructor: the first discovery
  double rescan_ms;     // refresh() with nothing changed: a later discovery
};

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Discovers `root` in a fresh runtime, then rescans it; checks that every
// file became a module.
Timing discover(const hb::fs::path& root, const hb::fs::path& scratch, int files) {
  hotmod::RuntimeOptions opts = hb::bench_options(root, scratch);
  auto start = Clock::now();
  hotmod::Runtime rt(std::move(opts));
  Timing t{ms_since(start), 0};
  start = Clock::now();
  hotmod::RefreshReport report = rt.refresh();
  t.rescan_ms = ms_since(start);
  std::size_t found = rt.modules().size();
  if (found != static_cast<std::size_t>(files) || !report.discovered.empty())
    hb::fail("discovered " + std::to_string(found) + " modules in " + root.string() +
             ", expected " + std::to_string(files));
  return t;
}

// What any discovery must do at least: visit every entry of the tree.
double walk_ms(const hb::fs::path& root, int files) {
  const auto start = Clock::now();
  int found = 0;
  for (const hb::fs::directory_entry& e : hb::fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) ++found;
  const double ms = ms_since(start);
  if (found != files) hb::fail("the walk found " + std::to_string(found) + " files");
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  const int files = hb::int_option(argc, argv, "files", 1000);
  const int runs = hb::int_option(argc, argv, "runs", 9);
  if (files <= 0 || runs <= 0) hb::fail("--files and --runs must be positive");

  hb::TempDir tmp("hotmod-bench-discovery");
  make_tree(tmp.path() / "modules", files);

  discover(tmp.path() / "modules", tmp.path(), files);  // warm the page cache
  std::vector<double> construct;
  std::vector<double> rescan;
  std::vector<double> walk;
  for (int i = 0; i < runs; ++i) {
    Timing t = discover(tmp.path() / "modules", tmp.path(), files);
    construct.push_back(t.construct_ms);
    rescan.push_back(t.rescan_ms);
    walk.push_back(walk_ms(tmp.path() / "modules", files));
  }

  std::fprintf(stderr,
               "%d files, %d runs, median: Runtime constructor %.2f ms (min %.2f, max %.2f), "
               "refresh() %.2f ms; a bare walk of the tree %.2f ms\n",
               files, runs, hb::median(construct), hb::percentile(construct, 0.001),
               hb::percentile(construct, 100), hb::median(rescan), hb::median(walk));
  hb::print_figure("discovery_ms_per_1000", hb::median(construct) * 1000.0 / files);
  hb::print_figure("discovery_to_walk_ratio", hb::median(construct) / hb::median(walk));
}
