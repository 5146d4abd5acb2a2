// performance_report(), memory_report(), last_failure() and the Chrome
// trace, checked against what really happened: loads and reloads counted
// and timed, slow marks against the thresholds, a fixture holding memory of
// known sizes, the mapped image as /proc/self/maps shows it.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "support.hpp"

namespace {

using namespace hotmod_test;

class ReportsTest : public RuntimeTest {
 protected:
  hotmod::RuntimeOptions dev_options() const {
    hotmod::RuntimeOptions o = options();
    o.dev_mode = true;
    o.hot_reload = false;  // reloads happen when the test says
    return o;
  }
};

const hotmod::ModulePerformance* find(const hotmod::PerformanceReport& r, std::string_view name) {
  for (const auto& m : r.modules)
    if (m.name == name) return &m;
  return nullptr;
}

// The bytes /proc/self/maps shows mapped from `file`, read here
// independently of the runtime's reader.
std::uint64_t mapped_from_maps(const fs::path& file) {
  std::ifstream maps("/proc/self/maps");
  std::uint64_t total = 0;
  for (std::string line; std::getline(maps, line);) {
    const auto slash = line.find('/');
    if (slash == std::string::npos || line.substr(slash) != file.string()) continue;
    std::uint64_t from = 0, to = 0;
    std::sscanf(line.c_str(), "%lx-%lx", &from, &to);
    total += to - from;
  }
  return total;
}

const hotmod::ModuleMemory* find(const hotmod::MemoryReport& r, std::string_view name) {
  for (const auto& m : r.modules)
    if (m.name == name) return &m;
  return nullptr;
}

TEST_F(ReportsTest, PerformanceCountsAndTimesLoadsAndReloads) {
  install(fixtures::counter_v1);
  install(fixtures::nested, "tools/math.so");
  hotmod::Runtime rt(dev_options());
  hotmod::Module m = load(rt);
  install(fixtures::counter_v2);
  ASSERT_TRUE(rt.reload("counter").success);
  install(fixtures::counter_v1);
  ASSERT_TRUE(rt.reload("counter").success);

  hotmod::PerformanceReport r = rt.performance_report();
  const hotmod::ModulePerformance* c = find(r, "counter");
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(c->loaded);
  EXPECT_EQ(c->load.count, 1u);
  EXPECT_EQ(c->reload.count, 2u);
  EXPECT_EQ(c->reload_count, 2u);
  EXPECT_EQ(c->failed_reloads, 0u);
  EXPECT_GT(c->load.last_ms, 0);
  EXPECT_GT(c->reload.max_ms, 0);
  EXPECT_GE(c->reload.max_ms, c->reload.median_ms);
  EXPECT_GT(c->last_stages.copy.count(), 0);
  EXPECT_GT(c->last_stages.open.count(), 0);

  const hotmod::ModulePerformance* math = find(r, "tools.math");
  ASSERT_NE(math, nullptr);  // discovered, never loaded: listed, nothing measured
  EXPECT_FALSE(math->loaded);
  EXPECT_EQ(math->load.count, 0u);
  EXPECT_FALSE(math->slow);

  ASSERT_EQ(r.kinds.size(), 3u);
  EXPECT_EQ(r.kinds[0].kind, hotmod::ModuleKind::library);
  EXPECT_EQ(r.kinds[0].modules, 2u);
  EXPECT_EQ(r.kinds[0].loaded, 1u);
  EXPECT_EQ(r.kinds[0].reloads, 2u);
  EXPECT_DOUBLE_EQ(r.kinds[0].slow_threshold_ms, 5);
  EXPECT_DOUBLE_EQ(r.kinds[0].average_load_ms, c->load.last_ms);
  EXPECT_GE(r.scan.count, 1u);  // the runtime's first scan
  ASSERT_TRUE(r.slowest.has_value());
  EXPECT_EQ(*r.slowest, "counter");

  hotmod::Value json = hotmod::to_json(r);
  EXPECT_TRUE(json.is_object()) << json.dump();
}

TEST_F(ReportsTest, SlowMarksFollowTheThresholds) {
  install(fixtures::counter_v1);
  hotmod::RuntimeOptions o = dev_options();
  o.slow.library_ms = 1e-6;  // anything is slower than that
  o.slow.scan_ms = 1e-6;
  hotmod::Runtime fast_limit(o);
  load(fast_limit);
  hotmod::PerformanceReport slow = fast_limit.performance_report();
  ASSERT_NE(find(slow, "counter"), nullptr);
  EXPECT_TRUE(find(slow, "counter")->slow);
  EXPECT_TRUE(slow.scan_slow);

  o.slow.library_ms = 1e6;
  o.slow.scan_ms = 1e6;
  hotmod::Runtime generous(o);
  load(generous);
  hotmod::PerformanceReport fine = generous.performance_report();
  EXPECT_FALSE(find(fine, "counter")->slow);
  EXPECT_FALSE(fine.scan_slow);
}

TEST_F(ReportsTest, FailuresAreCountedAndTheLastOneKept) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(dev_options());
  load(rt);
  EXPECT_FALSE(rt.last_failure("counter").has_value());
  install(fixtures::counter_undefined);
  ASSERT_FALSE(rt.reload("counter").success);

  std::optional<hotmod::ReloadStats> failed = rt.last_failure("counter");
  ASSERT_TRUE(failed.has_value());
  EXPECT_EQ(failed->failure, hotmod::Failure::open_failed);
  EXPECT_NE(failed->error.find("counter"), std::string::npos);
  EXPECT_EQ(find(rt.performance_report(), "counter")->failed_reloads, 1u);

  install(fixtures::counter_v2);
  ASSERT_TRUE(rt.reload("counter").success);
  EXPECT_FALSE(rt.last_failure("counter").has_value());
  EXPECT_FALSE(rt.last_failure("nothing-by-that-name").has_value());
}

// The hog fixture's state is 4096 bytes and hold(n) keeps n bytes.
TEST_F(ReportsTest, MemoryReportMeasuresImageHeapAndState) {
  install(fixtures::hog, "hog.so");
  hotmod::Runtime rt(dev_options());
  hotmod::Module hog = load(rt, "hog");

  hotmod::MemoryReport before = rt.memory_report();
  EXPECT_TRUE(before.heap_tracked);
  const hotmod::ModuleMemory* m = find(before, "hog");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->state_bytes, 4096u);
  ASSERT_TRUE(m->heap_bytes.has_value());
  // The image: every range of its versioned copy that /proc/self/maps shows.
  const std::vector<fs::path> copies = mapped_under(versions());
  ASSERT_EQ(copies.size(), 1u);
  EXPECT_GT(m->image_bytes, 0u);
  EXPECT_EQ(m->image_bytes, mapped_from_maps(copies[0]));
  EXPECT_EQ(m->image_bytes % 4096, 0u);  // whole pages

  constexpr int kMiB = 1 << 20;
  ASSERT_EQ(hog.call("hold", kMiB).value(), kMiB);
  hotmod::MemoryReport holding = rt.memory_report();
  const std::uint64_t grown = *find(holding, "hog")->heap_bytes - *m->heap_bytes;
  EXPECT_EQ(grown, static_cast<std::uint64_t>(kMiB));
  EXPECT_EQ(holding.modules.front().name, "hog");  // the top consumer
  EXPECT_GE(holding.total_bytes, find(holding, "hog")->total());
  EXPECT_GT(holding.process_rss_bytes, static_cast<std::uint64_t>(kMiB));
  EXPECT_GT(holding.available_bytes, 0u);

  ASSERT_EQ(hog.call("release").value(), 1);
  EXPECT_EQ(*find(rt.memory_report(), "hog")->heap_bytes, *m->heap_bytes);

  hotmod::Value json = hotmod::to_json(holding);
  EXPECT_TRUE(json.is_object()) << json.dump();
}

TEST_F(ReportsTest, ProductionModeDoesNotTrackTheHeap) {
  install(fixtures::hog, "hog.so");
  hotmod::Runtime rt(options());  // production
  hotmod::Module hog = load(rt, "hog");
  ASSERT_EQ(hog.call("hold", 4096).value(), 4096);
  hotmod::MemoryReport r = rt.memory_report();
  EXPECT_FALSE(r.heap_tracked);
  ASSERT_NE(find(r, "hog"), nullptr);
  EXPECT_FALSE(find(r, "hog")->heap_bytes.has_value());
  EXPECT_EQ(find(r, "hog")->state_bytes, 4096u);
  EXPECT_EQ(hog.call("release").value(), 1);
}

hotmod::Value read_trace(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  return hotmod::Value::parse(s, nullptr, false);
}

TEST_F(ReportsTest, TraceHoldsLoadsAndReloadsAsChromeEvents) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(dev_options());
  const fs::path file = tmp_.path() / "trace.json";
  ASSERT_TRUE(rt.start_trace(file).ok());
  load(rt);
  install(fixtures::counter_v2);
  ASSERT_TRUE(rt.reload("counter").success);
  EXPECT_GE(rt.stop_trace(), 2u);
  EXPECT_EQ(rt.stop_trace(), 0u);  // nothing running any more

  hotmod::Value events = read_trace(file);
  ASSERT_TRUE(events.is_array()) << "not JSON: " << file;
  bool load_seen = false, reload_seen = false;
  for (const auto& e : events) {
    if (e.value("ph", "") != "X") continue;
    EXPECT_TRUE(e.contains("ts") && e.contains("dur") && e.contains("pid") && e.contains("tid"));
    if (e.value("name", "") == "load counter") load_seen = true;
    if (e.value("name", "") == "reload counter") {
      reload_seen = true;
      EXPECT_EQ(e["args"]["success"], true);
      EXPECT_GT(e["dur"].get<double>(), 0);
    }
  }
  EXPECT_TRUE(load_seen);
  EXPECT_TRUE(reload_seen);
}

TEST_F(ReportsTest, TraceFileFromTheOptionsCoversTheWholeSession) {
  install(fixtures::counter_v1);
  const fs::path file = tmp_.path() / "session.json";
  {
    hotmod::RuntimeOptions o = dev_options();
    o.trace_file = file;
    hotmod::Runtime rt(o);
    load(rt);
  }  // closed with the runtime
  hotmod::Value events = read_trace(file);
  ASSERT_TRUE(events.is_array());
  bool scan = false, loaded = false;
  for (const auto& e : events) {
    scan = scan || e.value("name", "") == "scan";
    loaded = loaded || e.value("name", "") == "load counter";
  }
  EXPECT_TRUE(scan);
  EXPECT_TRUE(loaded);

  hotmod::RuntimeOptions bad = options();
  bad.trace_file = tmp_.path() / "no-such-folder" / "t.json";
  hotmod::Runtime rt(bad);  // a trace that cannot be written is a warning, not a failure
  EXPECT_TRUE(logs_->contains(hotmod::LogLevel::warn, {"no-such-folder", "without a trace"}))
      << logs_->dump();
}

}  // namespace
