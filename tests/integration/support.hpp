// support.hpp — what every integration test shares: a temporary folder per
// test, ways to put fixture modules into it (atomically, in place, cut short),
// captured logs and events, waiting on conditions, and looking at what the
// process has mapped.
//
// Tests wait for conditions (wait_until), never sleep and hope.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <hotmod/runtime.hpp>

#include "counter_api.hpp"
#include "fixture_paths.hpp"
#include "printers.hpp"
#include "temp_dir_common.hpp"

namespace hotmod_test {

namespace fs = std::filesystem;

// Copies `from` to a temporary name beside `to`, then renames it over `to`:
// what a careful build tool does (new inode, never a half-written file).
void install_atomic(const fs::path& from, const fs::path& to);
// Overwrites `to` in place (same inode): what a careless build tool does.
void install_in_place(const fs::path& from, const fs::path& to);
// Writes `from` followed by zero bytes up to `size` to `to` (atomically).
void install_padded(const fs::path& from, const fs::path& to, std::size_t size);
// Writes the first `size` bytes of `from` to `to` (atomically).
void install_truncated(const fs::path& from, const fs::path& to, std::size_t size);
void write_text(const fs::path& to, std::string_view text);

std::size_t file_size(const fs::path& path);
// e_shoff of an ELF64 file: where its section header table starts.
std::size_t section_headers_offset(const fs::path& elf);

// Regular files below `dir`, recursively, sorted (a versions folder's marker left out).
std::vector<fs::path> files_under(const fs::path& dir);
// Files below `dir` that are mapped into this process (/proc/self/maps).
std::vector<fs::path> mapped_under(const fs::path& dir);
bool is_mapped(const fs::path& file);

// Polls `done` until it holds or `timeout` passes; returns its last value.
bool wait_until(const std::function<bool()>& done,
                std::chrono::milliseconds timeout = std::chrono::seconds(20));

// Every log line the runtime wrote. Thread-safe.
class LogCapture {
 public:
  struct Line {
    hotmod::LogLevel level;
    std::string text;
  };
  std::function<void(hotmod::LogLevel, std::string_view)> sink();
  std::vector<Line> lines() const;
  // True when a line at `level` (or above) contains every one of `parts`.
  bool contains(hotmod::LogLevel level, std::initializer_list<std::string_view> parts) const;
  std::string dump() const;

 private:
  mutable std::mutex mutex_;
  std::vector<Line> lines_;
};

// Every event published on a bus while it lives. Thread-safe.
class EventLog {
 public:
  struct Event {
    std::string topic;
    hotmod::Value payload;
  };
  explicit EventLog(hotmod::EventBus& bus);
  std::vector<hotmod::Value> payloads(std::string_view topic) const;
  std::size_t count(std::string_view topic) const;
  std::vector<Event> events() const;
  void clear();

 private:
  // Shared with the subscriber: a delivery already running on another
  // thread (the reaper's module.unloaded) may finish after the
  // subscription is gone (EventBus::remove_subscriber), so what it writes
  // into must outlive this log.
  struct Shared {
    std::mutex mutex;
    std::vector<Event> events;
  };
  std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
  hotmod::Subscription subscription_;  // last: goes first
};

// Base for tests that run a Runtime on a temporary module folder.
//   tmp/modules   the module path
//   tmp/versions  RuntimeOptions::versions_dir
//   tmp/state     RuntimeOptions::state_dir
class RuntimeTest : public ::testing::Test {
 protected:
  RuntimeTest();

  fs::path modules() const { return tmp_.path() / "modules"; }
  fs::path versions() const { return tmp_.path() / "versions"; }
  // RuntimeOptions::state_dir: the quarantine of this test alone.
  fs::path state() const { return tmp_.path() / "state"; }
  // Options for a runtime on modules(), logging into logs_.
  hotmod::RuntimeOptions options() const;
  // Copies a fixture into the module folder as `as` (atomically).
  fs::path install(const char* fixture, std::string_view as = "counter.so") const;
  fs::path install_in_place(const char* fixture, std::string_view as = "counter.so") const;

  TempDir tmp_;
  std::shared_ptr<LogCapture> logs_ = std::make_shared<LogCapture>();
};

// Calls a function that takes no arguments and returns an int; -1 (and a
// test failure naming the error) when the call fails.
int call_int(const hotmod::Module& m, std::string_view function);
hotmod::Module load(hotmod::Runtime& rt, std::string_view name = "counter");

}  // namespace hotmod_test
