// The recent durations of one kind of operation (a module's loads, its
// reloads, the scans of the module paths), summarised for the reports.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "hotmod/reports.hpp"

namespace hotmod::diag {

// Keeps the last kKept samples in a ring and counts every sample ever
// recorded. Not internally locked: the owner (the runtime, under its own
// lock) serialises record() and summary().
class TimingHistory {
 public:
  static constexpr std::size_t kKept = 64;

  void record(std::chrono::nanoseconds duration);

  // count: every sample recorded; last_ms: the latest; median_ms and max_ms:
  // over the kept samples (an even number of them: the mean of the two
  // middle ones). All zero before the first sample.
  TimingSummary summary() const;

 private:
  // Grows to kKept on use: every module has three histories, most never
  // used, and a thousand modules' zeroed rings were 1.5 MB to fault in.
  std::vector<std::chrono::nanoseconds> ring_;
  std::size_t next_ = 0;     // where the next sample goes
  std::uint64_t count_ = 0;  // samples ever recorded
};

}  // namespace hotmod::diag
