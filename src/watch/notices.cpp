#include "watch/notices.hpp"

#include <cstdio>

namespace hotmod::watch {

Notices::Notices(Log log) : log_(std::move(log)) {}

void Notices::say(LogLevel level, std::string_view message) const {
  if (log_) {
    log_(level, message);
    return;
  }
  if (level < LogLevel::info) return;  // stderr is for people: no debug chatter
  std::string line = "hotmod: watch: ";
  if (level == LogLevel::warn) line += "warning: ";
  if (level == LogLevel::error) line += "error: ";
  line.append(message).push_back('\n');
  std::fputs(line.c_str(), stderr);  // one call: lines from threads do not interleave
}

void Notices::once(std::string_view kind, LogLevel level, std::string_view message) {
  if (given_.find(kind) != given_.end()) return;
  given_.emplace(kind);
  say(level, message);
}

}  // namespace hotmod::watch
