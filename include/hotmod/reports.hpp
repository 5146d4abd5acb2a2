// hotmod/reports.hpp — where time and memory go: what Runtime::
// performance_report() and Runtime::memory_report() return.
//
// Every number is a measurement the runtime took, never an estimate:
//  - times are the stage timers of each load and reload (the same ones
//    ReloadStats carries) and of each scan of the module paths;
//  - image_bytes is the size of the module's mappings in /proc/self/maps
//    (its versioned copy's segments, code and data, as mapped);
//  - heap_bytes, for library and source modules, is what the module's code
//    allocated with operator new and has not freed yet, counted in dev mode
//    only (the host's operator new/delete are replaced, see
//    HOTMOD_HEAP_ACCOUNTING): an allocation counts against a module while
//    its static constructors, a call through a Module handle, a hook, its
//    self-test or an interface constructor runs on that thread (calls through
//    Ref<I>, threads the module starts and malloc() called directly are not
//    followed). For script modules it is what the module's interpreter holds
//    (its allocator counts every byte), in any mode;
//  - state_bytes is sizeof the HOTMOD_STATE type (library and source
//    modules), or for scripts an estimate of what `hotmod.state` reaches
//    from Lua 5.4's object sizes (already inside heap_bytes, so not added to
//    total());
//  - process RSS and available memory come from /proc/self/statm and
//    /proc/meminfo (MemAvailable).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hotmod/reload_stats.hpp"
#include "hotmod/value.hpp"

namespace hotmod {

// last / median / max over the attempts recorded (the last 64).
struct TimingSummary {
  std::uint64_t count = 0;  // attempts ever recorded, not only the last 64
  double last_ms = 0;
  double median_ms = 0;
  double max_ms = 0;
};

struct ModulePerformance {
  std::string name;
  ModuleKind kind{};
  bool loaded = false;
  TimingSummary load;                // first loads (a source module's includes its compile)
  TimingSummary build;               // compiles and build rules, every attempt
  TimingSummary reload;              // reloads, successful or not
  StageTimes last_stages;            // of the last load or reload attempt
  std::uint64_t reload_count = 0;    // successful reloads
  std::uint64_t failed_reloads = 0;  // failed loads and reloads
  // The last load or reload took longer than its kind's threshold.
  bool slow = false;
};

struct KindPerformance {
  ModuleKind kind{};
  std::size_t modules = 0;  // discovered
  std::size_t loaded = 0;
  double average_load_ms = 0;    // over loaded modules' last first load
  double average_reload_ms = 0;  // over every module's median reload
  std::uint64_t reloads = 0;
  double slow_threshold_ms = 0;
};

struct PerformanceReport {
  TimingSummary scan;  // scans of the module paths
  double scan_slow_threshold_ms = 0;
  bool scan_slow = false;
  std::vector<ModulePerformance> modules;  // by kind, then name
  std::vector<KindPerformance> kinds;      // library, source, script
  // The slowest last load or reload, when any module has loaded.
  std::optional<std::string> slowest;
};

struct ModuleMemory {
  std::string name;
  ModuleKind kind{};
  bool loaded = false;
  std::uint64_t image_bytes = 0;            // mapped image (all versions still mapped)
  std::optional<std::uint64_t> heap_bytes;  // libraries and sources: dev mode only
  std::uint64_t state_bytes = 0;
  // A script's state lives in its interpreter's heap: counted once.
  std::uint64_t total() const {
    return image_bytes + heap_bytes.value_or(0) + (kind == ModuleKind::script ? 0 : state_bytes);
  }
};

struct KindMemory {
  ModuleKind kind{};
  std::size_t modules = 0;  // loaded
  std::uint64_t bytes = 0;
};

struct MemoryReport {
  std::vector<ModuleMemory> modules;  // loaded modules, largest total first
  std::vector<KindMemory> kinds;
  std::uint64_t total_bytes = 0;  // sum of the modules' totals
  bool heap_tracked = false;      // dev mode was on: heap_bytes are measured
  std::uint64_t process_rss_bytes = 0;
  std::uint64_t available_bytes = 0;  // MemAvailable
};

// The reports as JSON (what `hotmod ... --json` prints): times in
// milliseconds, sizes in bytes, kinds by name.
Value to_json(const PerformanceReport& report);
Value to_json(const MemoryReport& report);

}  // namespace hotmod
