// Times and sizes as the command prints them: "4.1 ms", "12.0 s",
// "640 B", "1.5 KiB", "3.2 MiB".
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace hotmod::cli {

std::string format_ms(double ms);
std::string format_ms(std::chrono::nanoseconds duration);
std::string format_bytes(std::uint64_t bytes);

}  // namespace hotmod::cli
