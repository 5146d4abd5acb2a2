// The REPL's memory of recent events: it subscribes to every topic ("*")
// when it starts and keeps the last 100, with the time each was published,
// for `.events [N]`. Publishers may be any thread, and a delivery may still
// be running on one after the log is gone (the bus does not wait for it), so
// what the log keeps is shared with its subscriber.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hotmod/events.hpp"
#include "hotmod/value.hpp"

namespace hotmod::cli {

class EventLog {
 public:
  static constexpr std::size_t kKept = 100;

  struct Entry {
    std::chrono::system_clock::time_point time;
    std::string topic;
    Value payload;
  };

  // Subscribes to "*" until destroyed.
  explicit EventLog(EventBus& bus);

  // The last `n` (at most kKept), oldest first.
  std::vector<Entry> last(std::size_t n) const;

 private:
  struct Kept {
    std::mutex mu;
    std::deque<Entry> entries;  // guarded by mu
    void add(std::string_view topic, const Value& payload);
  };

  std::shared_ptr<Kept> kept_ = std::make_shared<Kept>();
  Subscription subscription_;  // last: unsubscribes before the rest goes
};

// "12:03:04.123 module.reloaded {"name":"math",...}", cut at `width` characters.
std::string format_event(const EventLog::Entry& entry, std::size_t width = 160);

}  // namespace hotmod::cli
