#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "diag/process_memory.hpp"
#include "diag/timing_history.hpp"
#include "hotmod/reports.hpp"
#include "hotmod/runtime.hpp"

namespace {

using hotmod::ModuleKind;
using hotmod::Value;
using std::chrono::microseconds;

hotmod::TimingSummary summary_of(std::initializer_list<int> micros) {
  hotmod::diag::TimingHistory h;
  for (int us : micros) h.record(microseconds(us));
  return h.summary();
}

void expect_timing(const Value& json, const hotmod::TimingSummary& s) {
  EXPECT_EQ(json["count"], s.count);
  EXPECT_DOUBLE_EQ(json["last_ms"].get<double>(), s.last_ms);
  EXPECT_DOUBLE_EQ(json["median_ms"].get<double>(), s.median_ms);
  EXPECT_DOUBLE_EQ(json["max_ms"].get<double>(), s.max_ms);
}

TEST(ReportJson, PerformanceReport) {
  hotmod::PerformanceReport report;
  report.scan = summary_of({800, 1200, 900});
  report.scan_slow_threshold_ms = 50;
  hotmod::ModulePerformance m;
  m.name = "counter";
  m.kind = ModuleKind::source;
  m.loaded = true;
  m.load = summary_of({250000});
  m.build = summary_of({240000, 180000});
  m.reload = summary_of({12000, 9000, 15000, 11000});
  m.last_stages.build = microseconds(180000);
  m.last_stages.open = microseconds(1500);
  m.last_stages.swap = microseconds(3);
  m.reload_count = 4;
  m.failed_reloads = 1;
  report.modules.push_back(m);
  report.kinds.push_back({.kind = ModuleKind::source,
                          .modules = 1,
                          .loaded = 1,
                          .average_load_ms = m.load.last_ms,
                          .average_reload_ms = m.reload.median_ms,
                          .reloads = 4,
                          .slow_threshold_ms = 2000});
  report.slowest = "counter";

  const Value json = hotmod::to_json(report);
  expect_timing(json["scan"], report.scan);
  EXPECT_EQ(json["scan_slow_threshold_ms"], 50.0);
  EXPECT_EQ(json["scan_slow"], false);
  ASSERT_EQ(json["modules"].size(), 1u);
  const Value& module = json["modules"][0];
  EXPECT_EQ(module["name"], "counter");
  EXPECT_EQ(module["kind"], "source");
  EXPECT_EQ(module["loaded"], true);
  expect_timing(module["load"], m.load);
  expect_timing(module["build"], m.build);
  expect_timing(module["reload"], m.reload);
  EXPECT_DOUBLE_EQ(module["reload"]["median_ms"].get<double>(), 11.5);
  const Value& stages = module["last_stages"];
  EXPECT_DOUBLE_EQ(stages["build_ms"].get<double>(), 180.0);
  EXPECT_DOUBLE_EQ(stages["open_ms"].get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(stages["swap_ms"].get<double>(), 0.003);
  for (const char* stage : {"copy_ms", "validate_ms", "state_ms", "hooks_ms"})
    EXPECT_EQ(stages[stage], 0.0) << stage;
  EXPECT_EQ(stages.size(), 7u);
  EXPECT_EQ(module["reload_count"], 4);
  EXPECT_EQ(module["failed_reloads"], 1);
  EXPECT_EQ(module["slow"], false);
  ASSERT_EQ(json["kinds"].size(), 1u);
  EXPECT_EQ(json["kinds"][0]["kind"], "source");
  EXPECT_EQ(json["kinds"][0]["modules"], 1);
  EXPECT_EQ(json["kinds"][0]["loaded"], 1);
  EXPECT_DOUBLE_EQ(json["kinds"][0]["average_load_ms"].get<double>(), 250.0);
  EXPECT_DOUBLE_EQ(json["kinds"][0]["average_reload_ms"].get<double>(), 11.5);
  EXPECT_EQ(json["kinds"][0]["reloads"], 4);
  EXPECT_EQ(json["kinds"][0]["slow_threshold_ms"], 2000.0);
  EXPECT_EQ(json["slowest"], "counter");
}

TEST(ReportJson, NoSlowestIsNull) {
  const Value json = hotmod::to_json(hotmod::PerformanceReport{});
  EXPECT_TRUE(json["slowest"].is_null());
  EXPECT_TRUE(json["modules"].is_array());
  EXPECT_TRUE(json["kinds"].is_array());
  EXPECT_EQ(json["scan"]["count"], 0);
}

TEST(ReportJson, MemoryReport) {
  hotmod::MemoryReport report;
  hotmod::ModuleMemory lib;
  lib.name = "math";
  lib.kind = ModuleKind::library;
  lib.loaded = true;
  lib.image_bytes = 16384;
  lib.heap_bytes = std::nullopt;  // not tracked (production mode)
  lib.state_bytes = 24;
  hotmod::ModuleMemory script;
  script.name = "ui";
  script.kind = ModuleKind::script;
  script.loaded = true;
  script.image_bytes = 0;
  script.heap_bytes = 4096;  // its interpreter's, hotmod.state included
  script.state_bytes = 512;
  report.modules = {lib, script};
  report.kinds = {{ModuleKind::library, 1, lib.total()}, {ModuleKind::script, 1, script.total()}};
  report.total_bytes = lib.total() + script.total();
  report.heap_tracked = false;
  report.process_rss_bytes = hotmod::diag::process_rss_bytes();
  report.available_bytes = hotmod::diag::available_memory_bytes();

  const Value json = hotmod::to_json(report);
  ASSERT_EQ(json["modules"].size(), 2u);
  const Value& m = json["modules"][0];
  EXPECT_EQ(m["name"], "math");
  EXPECT_EQ(m["kind"], "library");
  EXPECT_EQ(m["loaded"], true);
  EXPECT_EQ(m["image_bytes"], 16384);
  ASSERT_TRUE(m.contains("heap_bytes"));
  EXPECT_TRUE(m["heap_bytes"].is_null());
  EXPECT_EQ(m["state_bytes"], 24);
  EXPECT_EQ(m["total_bytes"], 16384 + 24);
  const Value& s = json["modules"][1];
  EXPECT_EQ(s["kind"], "script");
  EXPECT_EQ(s["heap_bytes"], 4096);
  EXPECT_EQ(s["state_bytes"], 512);
  EXPECT_EQ(s["total_bytes"], 4096);  // the state is inside the heap: counted once
  ASSERT_EQ(json["kinds"].size(), 2u);
  EXPECT_EQ(json["kinds"][1]["kind"], "script");
  EXPECT_EQ(json["kinds"][1]["modules"], 1);
  EXPECT_EQ(json["kinds"][1]["bytes"], 4096);
  EXPECT_EQ(json["total_bytes"], report.total_bytes);
  EXPECT_EQ(json["heap_tracked"], false);
  EXPECT_EQ(json["process_rss_bytes"], report.process_rss_bytes);
  EXPECT_GT(json["process_rss_bytes"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(json["available_bytes"], report.available_bytes);
}

}  // namespace
