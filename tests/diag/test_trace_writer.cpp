#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "diag/trace_writer.hpp"
#include "files.hpp"
#include "hotmod/value.hpp"
#include "temp_dir_common.hpp"

namespace {

namespace fs = std::filesystem;
using hotmod::Value;
using hotmod::diag::TraceWriter;
using std::chrono::steady_clock;

using hotmod_test::read_file;

// The events of phase `ph` in a parsed trace.
std::vector<Value> events(const Value& trace, const std::string& ph) {
  std::vector<Value> out;
  for (const Value& e : trace)
    if (e.value("ph", "") == ph) out.push_back(e);
  return out;
}

TEST(TraceWriter, WritesChromeTraceEvents) {
  hotmod_test::TempDir dir("hotmod-diag");
  TraceWriter writer;
  EXPECT_FALSE(writer.active());
  hotmod::Result<fs::path> opened = writer.open(dir / "trace.json");
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(*opened, dir / "trace.json");
  EXPECT_TRUE(writer.active());

  const auto start = steady_clock::now();
  const auto lasted = std::chrono::microseconds(1500);
  writer.complete("load counter", "module", start, lasted, {{"module", "counter"}});
  writer.instant("scan", "watch", nullptr);
  EXPECT_EQ(writer.close(), 2u);
  EXPECT_FALSE(writer.active());

  const Value trace = Value::parse(read_file(dir / "trace.json"));
  ASSERT_TRUE(trace.is_array());
  const std::vector<Value> spans = events(trace, "X");
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0]["name"], "load counter");
  EXPECT_EQ(spans[0]["cat"], "module");
  EXPECT_TRUE(spans[0]["ts"].is_number_float());
  EXPECT_GE(spans[0]["ts"].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(spans[0]["dur"].get<double>(), 1500.0);
  EXPECT_EQ(spans[0]["args"]["module"], "counter");
  EXPECT_EQ(spans[0]["pid"], ::getpid());

  const std::vector<Value> moments = events(trace, "i");
  ASSERT_EQ(moments.size(), 1u);
  EXPECT_EQ(moments[0]["s"], "t");
  EXPECT_FALSE(moments[0].contains("args"));
  // The moment came after the span's start.
  EXPECT_GE(moments[0]["ts"].get<double>(), spans[0]["ts"].get<double>());

  bool named_process = false;
  std::set<int> named_threads;
  for (const Value& m : events(trace, "M")) {
    if (m["name"] == "process_name") named_process = m["args"]["name"] == "hotmod";
    if (m["name"] == "thread_name") named_threads.insert(m["tid"].get<int>());
  }
  EXPECT_TRUE(named_process);
  EXPECT_EQ(named_threads, std::set<int>{spans[0]["tid"].get<int>()});
}

TEST(TraceWriter, OneEventPerLine) {
  hotmod_test::TempDir dir("hotmod-diag");
  TraceWriter writer;
  ASSERT_TRUE(writer.open(dir / "trace.json"));
  for (int i = 0; i < 3; ++i) writer.instant("tick", "test", {{"i", i}});
  writer.close();
  std::istringstream lines(read_file(dir / "trace.json"));
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line, "[");
  int objects = 0;
  while (std::getline(lines, line) && line != "]") {
    if (line.back() == ',') line.pop_back();
    EXPECT_TRUE(Value::parse(line).is_object()) << line;
    ++objects;
  }
  EXPECT_EQ(line, "]");
  EXPECT_EQ(objects, 5);  // process_name, thread_name, three ticks
}

TEST(TraceWriter, AnUnclosedTraceParsesOnceClosed) {
  hotmod_test::TempDir dir("hotmod-diag");
  TraceWriter writer;
  ASSERT_TRUE(writer.open(dir / "trace.json"));
  writer.complete("build", "module", steady_clock::now(), std::chrono::milliseconds(3));
  writer.instant("reloaded", "module");
  // As a crashed process leaves it: every event written so far is on disk.
  const std::string unclosed = read_file(dir / "trace.json");
  const Value trace = Value::parse(unclosed + "]");
  EXPECT_EQ(events(trace, "X").size(), 1u);
  EXPECT_EQ(events(trace, "i").size(), 1u);
  writer.close();
}

TEST(TraceWriter, AnUnwritablePathIsAnErrorNamingIt) {
  hotmod_test::TempDir dir("hotmod-diag");
  const fs::path path = dir / "no such folder" / "trace.json";
  TraceWriter writer;
  hotmod::Result<fs::path> opened = writer.open(path);
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().message.find(path.string()), std::string::npos)
      << opened.error().message;
  EXPECT_NE(opened.error().message.find(std::strerror(ENOENT)), std::string::npos)
      << opened.error().message;
  EXPECT_FALSE(writer.active());
  EXPECT_FALSE(fs::exists(path.parent_path()));
  writer.instant("ignored", "test");  // no trace open: nothing happens
  EXPECT_EQ(writer.close(), 0u);
}

TEST(TraceWriter, ThreadsGetDistinctTids) {
  hotmod_test::TempDir dir("hotmod-diag");
  TraceWriter writer;
  ASSERT_TRUE(writer.open(dir / "trace.json"));
  writer.instant("main", "test");
  std::thread other([&] { writer.complete("work", "test", steady_clock::now(), {}); });
  other.join();
  EXPECT_EQ(writer.close(), 2u);

  const Value trace = Value::parse(read_file(dir / "trace.json"));
  const std::vector<Value> moments = events(trace, "i");
  const std::vector<Value> spans = events(trace, "X");
  ASSERT_EQ(moments.size(), 1u);
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_NE(moments[0]["tid"], spans[0]["tid"]);
  std::set<int> named;
  for (const Value& m : events(trace, "M"))
    if (m["name"] == "thread_name") named.insert(m["tid"].get<int>());
  EXPECT_EQ(named, (std::set<int>{moments[0]["tid"].get<int>(), spans[0]["tid"].get<int>()}));
}

TEST(TraceWriter, ReopeningStartsAFreshTrace) {
  hotmod_test::TempDir dir("hotmod-diag");
  TraceWriter writer;
  ASSERT_TRUE(writer.open(dir / "first.json"));
  writer.instant("one", "test");
  ASSERT_TRUE(writer.open(dir / "second.json"));  // closes first.json
  writer.instant("two", "test");
  writer.instant("three", "test");
  EXPECT_EQ(writer.close(), 2u);
  EXPECT_EQ(events(Value::parse(read_file(dir / "first.json")), "i").size(), 1u);
  EXPECT_EQ(events(Value::parse(read_file(dir / "second.json")), "i").size(), 2u);
}

}  // namespace
