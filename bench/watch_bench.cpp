// bench/watch_bench.cpp — how soon the file watcher reports a saved file, and
// what it costs while nothing changes.
//
// Figures:
//   watch_latency_ms_p50, watch_latency_ms_p95 — from the close(2) of an
//     in-place save, or the rename(2) of an atomic save (half each), to the
//     event in the hands of a thread blocked in wait_for_change(): kernel
//     backend, debounce 0. Goal: median <= 0.5 ms.
//   watch_latency_poll_ms_p50 — the same with the polling backend at its
//     default interval (100 ms), saves at random points of the poll cycle. A
//     change counts once it held for a whole interval, so expect about 1.5
//     intervals.
//   watcher_idle_cpu_pct — CPU time of the whole process over --idle-seconds
//     while a kernel-backend watcher watches a 10,000-file tree (100 folders)
//     in which nothing changes and the main thread sleeps, as percent of one
//     core. Goal <= 1; expected ~0: with nothing polled no timer runs and the
//     thread sleeps in epoll_wait. The polling backend's idle cost on the same
//     tree goes to stderr for comparison.
// Options: --changes=N (200), --poll-changes=N (30), --files=N (10000),
//          --idle-seconds=N (10).
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <hotmod/watcher.hpp>

#include "bench_util.hpp"

namespace hb = hotmod_bench;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

// snprintf rather than "f" + std::to_string(i) + ".cpp": g++ 12 -O3 warns
// falsely (-Wrestrict) on such chains.
std::string numbered(const char* format, int n) {
  char name[64];
  std::snprintf(name, sizeof name, format, n);
  return name;
}

double ms(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

double cpu_seconds() {
  struct timespec ts {};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

void write_text(const hb::fs::path& path, const std::string& text, Clock::time_point* closing) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    hb::fail("cannot write " + path.string());
  if (closing != nullptr) *closing = Clock::now();
  ::close(fd);
}

hotmod::FileWatcher start(const hb::fs::path& root, hotmod::WatchBackend backend) {
  hotmod::WatchOptions opts;
  opts.paths = {root};
  opts.backend = backend;
  opts.debounce = 0ms;
  opts.log = [](hotmod::LogLevel level, std::string_view line) {
    if (level >= hotmod::LogLevel::warn)
      std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
  };
  return hotmod::FileWatcher(opts);
}

// Saves files under `root` `changes` times and returns each save's latency
// in ms (the watcher must already be running on `root`). With `jitter`, each
// save waits a random part of it first: saves right after the previous event
// would otherwise all fall at the same point of the polling backend's cycle.
std::vector<double> latencies(hotmod::FileWatcher& watcher, const hb::fs::path& root, int changes,
                              std::vector<double>* read_ms,
                              std::chrono::milliseconds jitter = 0ms) {
  std::mt19937 random(12345);
  std::vector<double> out;
  for (int i = 0; i < changes; ++i) {
    if (jitter > 0ms)
      std::this_thread::sleep_for(std::chrono::microseconds(
          std::uniform_int_distribution<long>(0, jitter.count() * 1000 - 1)(random)));
    hb::fs::path target = root / numbered("file%d.txt", i % 10);
    std::string text = numbered("change %d\n", i);
    Clock::time_point done;
    if (i % 2 == 0) {
      write_text(target, text, &done);  // in place: the close completes it
    } else {
      hb::fs::path temp = root / numbered("file%d.txt.tmp", i % 10);
      write_text(temp, text, nullptr);  // *.tmp is excluded by default
      done = Clock::now();
      if (::rename(temp.c_str(), target.c_str()) != 0) hb::fail("cannot rename " + temp.string());
    }
    for (;;) {
      std::optional<hotmod::FileChange> change = watcher.wait_for_change(5s);
      Clock::time_point got = Clock::now();
      if (!change) hb::fail("no event for " + target.string() + " within 5 s");
      if (change->path != target) continue;
      out.push_back(ms(got - done));
      if (read_ms != nullptr) read_ms->push_back(ms(change->time - done));
      break;
    }
  }
  return out;
}

// The ten files latencies() saves in turn.
void make_files(const hb::fs::path& root) {
  hb::fs::create_directories(root);
  for (int i = 0; i < 10; ++i) write_text(root / numbered("file%d.txt", i), "0\n", nullptr);
}

void make_tree(const hb::fs::path& root, int files) {
  for (int i = 0; i < files; ++i) {
    hb::fs::path dir = root / numbered("d%d", i / 100);
    if (i % 100 == 0) hb::fs::create_directories(dir);
    write_text(dir / numbered("f%d.cpp", i % 100), "int x;\n", nullptr);
  }
}

double idle_cpu_pct(const hb::fs::path& root, hotmod::WatchBackend backend, int seconds) {
  hotmod::FileWatcher watcher = start(root, backend);
  auto begin = Clock::now();
  hotmod::Result<hotmod::WatchBackend> started = watcher.start();
  if (!started.ok()) hb::fail(started.error().message);
  std::fprintf(stderr, "  %s: start() on the tree took %.1f ms\n",
               std::string(hotmod::to_string(backend)).c_str(), ms(Clock::now() - begin));
  double cpu0 = cpu_seconds();
  auto wall0 = Clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  double cpu = cpu_seconds() - cpu0;
  double wall = std::chrono::duration<double>(Clock::now() - wall0).count();
  if (!watcher.drain_events().empty()) hb::fail("events while nothing changed in " + root.string());
  return cpu / wall * 100.0;
}

}  // namespace

int main(int argc, char** argv) {
  const int changes = hb::int_option(argc, argv, "changes", 200);
  const int poll_changes = hb::int_option(argc, argv, "poll-changes", 30);
  const int files = hb::int_option(argc, argv, "files", 10000);
  const int idle_seconds = hb::int_option(argc, argv, "idle-seconds", 10);
  if (changes <= 0 || poll_changes <= 0 || files <= 0 || idle_seconds <= 0)
    hb::fail("--changes, --poll-changes, --files and --idle-seconds must be positive");

  hb::TempDir tmp("hotmod-bench-watch");

  {
    hb::fs::path root = tmp.path() / "kernel";
    make_files(root);
    hotmod::FileWatcher watcher = start(root, hotmod::WatchBackend::kernel);
    if (auto started = watcher.start(); !started.ok() || *started != hotmod::WatchBackend::kernel)
      hb::fail("the kernel backend did not start");
    latencies(watcher, root, 10, nullptr);  // warm-up
    std::vector<double> read_ms;
    std::vector<double> kernel = latencies(watcher, root, changes, &read_ms);
    std::fprintf(stderr,
                 "kernel, debounce 0, %d saves: delivered p50 %.3f ms, p95 %.3f ms, max %.3f ms; "
                 "read from inotify p50 %.3f ms\n",
                 changes, hb::median(kernel), hb::percentile(kernel, 95),
                 hb::percentile(kernel, 100), hb::median(read_ms));
    hb::print_figure("watch_latency_ms_p50", hb::median(kernel));
    hb::print_figure("watch_latency_ms_p95", hb::percentile(kernel, 95));
  }

  {
    hb::fs::path root = tmp.path() / "poll";
    make_files(root);
    hotmod::FileWatcher watcher = start(root, hotmod::WatchBackend::polling);
    if (!watcher.start().ok()) hb::fail("the polling backend did not start");
    std::vector<double> poll =
        latencies(watcher, root, poll_changes, nullptr, watcher.options().poll_interval);
    std::fprintf(stderr, "polling every %lld ms, %d saves: p50 %.1f ms, min %.1f, max %.1f\n",
                 static_cast<long long>(watcher.options().poll_interval.count()), poll_changes,
                 hb::median(poll), hb::percentile(poll, 0.001), hb::percentile(poll, 100));
    hb::print_figure("watch_latency_poll_ms_p50", hb::median(poll));
  }

  {
    hb::fs::path root = tmp.path() / "tree";
    make_tree(root, files);
    std::fprintf(stderr, "idle, %d files in %d folders, %d s:\n", files, (files + 99) / 100,
                 idle_seconds);
    double kernel = idle_cpu_pct(root, hotmod::WatchBackend::kernel, idle_seconds);
    std::fprintf(stderr, "  kernel: %.3f%% of one core\n", kernel);
    double poll = idle_cpu_pct(root, hotmod::WatchBackend::polling, std::min(idle_seconds, 3));
    std::fprintf(stderr, "  polling every 100 ms: %.1f%% of one core (for comparison)\n", poll);
    hb::print_figure("watcher_idle_cpu_pct", kernel);
  }
}
