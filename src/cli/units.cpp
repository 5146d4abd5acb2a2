#include "cli/units.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace hotmod::cli {

std::string format_ms(double ms) {
  char text[32];
  if (ms >= 10000)
    std::snprintf(text, sizeof text, "%.1f s", ms / 1000);
  else
    std::snprintf(text, sizeof text, "%.1f ms", ms);
  return text;
}

std::string format_ms(std::chrono::nanoseconds duration) {
  return format_ms(std::chrono::duration<double, std::milli>(duration).count());
}

std::string format_bytes(std::uint64_t bytes) {
  if (bytes < 1024) return fmt::format("{} B", bytes);
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes) / 1024;
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.1f %s", value, kUnits[unit]);
  return text;
}

}  // namespace hotmod::cli
