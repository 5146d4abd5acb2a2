// Durations in the unit every report, event and log line of hotmod uses.
#pragma once

#include <chrono>

namespace hotmod::text {

// Milliseconds, with their fraction: what reports, events and JSON carry.
inline double to_ms(std::chrono::nanoseconds d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

}  // namespace hotmod::text
