// The wall clock in nanoseconds since the epoch: the scale of file mtimes,
// which a build compares with when it started to spot inputs edited during
// the compile.
#pragma once

#include <chrono>
#include <cstdint>

namespace hotmod::compile {

inline std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace hotmod::compile
