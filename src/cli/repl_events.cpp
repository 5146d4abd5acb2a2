#include "cli/repl_events.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <ctime>

namespace hotmod::cli {

EventLog::EventLog(EventBus& bus)
    : subscription_(
          bus.subscribe("*", [kept = kept_](std::string_view topic, const Value& payload) {
            kept->add(topic, payload);
          })) {}

void EventLog::Kept::add(std::string_view topic, const Value& payload) {
  std::lock_guard lock(mu);
  entries.push_back({std::chrono::system_clock::now(), std::string(topic), payload});
  if (entries.size() > kKept) entries.pop_front();
}

std::vector<EventLog::Entry> EventLog::last(std::size_t n) const {
  std::lock_guard lock(kept_->mu);
  const std::deque<Entry>& entries = kept_->entries;
  const std::size_t skip = entries.size() > n ? entries.size() - n : 0;
  return {entries.begin() + static_cast<std::ptrdiff_t>(skip), entries.end()};
}

std::string format_event(const EventLog::Entry& entry, std::size_t width) {
  const auto since_epoch = entry.time.time_since_epoch();
  const std::time_t seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count();
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count() % 1000;
  std::tm parts{};
  localtime_r(&seconds, &parts);
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "%02d:%02d:%02d.%03d", parts.tm_hour, parts.tm_min,
                parts.tm_sec, static_cast<int>(millis));
  std::string line =
      fmt::format("{} {} {}", std::string_view(stamp), entry.topic,
                  entry.payload.dump(-1, ' ', false, Value::error_handler_t::replace));
  if (line.size() > width) line = fmt::format("{}...", std::string_view(line).substr(0, width - 3));
  return line;
}

}  // namespace hotmod::cli
