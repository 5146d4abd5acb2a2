#include "config/text_values.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <utility>

#include "hotmod/config.hpp"

namespace hotmod {
namespace {

bool same_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

// Case-insensitive, like the booleans: HOTMOD_LOG_LEVEL=DEBUG is common.
std::optional<LogLevel> parse_log_level(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, LogLevel>, 6> kNames{{
      {"trace", LogLevel::trace},
      {"debug", LogLevel::debug},
      {"info", LogLevel::info},
      {"warn", LogLevel::warn},
      {"warning", LogLevel::warn},
      {"error", LogLevel::error},
  }};
  for (const auto& [name, level] : kNames)
    if (same_ignoring_case(text, name)) return level;
  return std::nullopt;
}

std::string_view to_string(LogLevel level) {
  switch (level) {
    case LogLevel::trace:
      return "trace";
    case LogLevel::debug:
      return "debug";
    case LogLevel::info:
      return "info";
    case LogLevel::warn:
      return "warn";
    case LogLevel::error:
      return "error";
  }
  return "info";
}

namespace config {

std::optional<bool> parse_bool(std::string_view text) {
  for (std::string_view yes : {"1", "true", "yes", "on"})
    if (same_ignoring_case(text, yes)) return true;
  for (std::string_view no : {"0", "false", "no", "off"})
    if (same_ignoring_case(text, no)) return false;
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> parse_millis(std::string_view text) {
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text.front()))) return std::nullopt;
  std::uint64_t ms = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
  if (ec != std::errc() || end != text.data() + text.size() || ms > kMaxMillis) return std::nullopt;
  return std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(ms));
}

std::string in_quotes(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.append("'").append(text).append("'");
  return out;
}

}  // namespace config
}  // namespace hotmod
