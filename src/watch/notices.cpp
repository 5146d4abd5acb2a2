#include "watch/notices.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace hotmod::watch {

Notices::Notices(Log log) : log_(std::move(log)) {}

void Notices::say(LogLevel level, std::string_view message) const {
  if (log_) {
    log_(level, message);
    return;
  }
  if (level < LogLevel::info) return;  // stderr is for people: no debug chatter
  const char* prefix = level == LogLevel::warn    ? "warning: "
                       : level == LogLevel::error ? "error: "
                                                  : "";
  const std::string line = fmt::format("hotmod: watch: {}{}\n", prefix, message);
  std::fputs(line.c_str(), stderr);  // one call: lines from threads do not interleave
}

void Notices::once(std::string_view kind, LogLevel level, std::string_view message) {
  if (given_.find(kind) != given_.end()) return;
  given_.emplace(kind);
  say(level, message);
}

}  // namespace hotmod::watch
