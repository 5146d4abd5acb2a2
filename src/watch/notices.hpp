// The watcher's messages to people: WatchOptions::log, or stderr.
//
// Notices that would repeat (the watch limit is reached again for every new
// folder) are given once per watcher: once tells the user what to do, a
// thousand times hides everything else. Watcher thread only (a restarted
// watcher's new thread starts after the old one was joined).
#pragma once

#include <functional>
#include <set>
#include <string>
#include <string_view>

#include "hotmod/context.hpp"
#include "hotmod/value.hpp"

namespace hotmod::watch {

class Notices {
 public:
  using Log = std::function<void(LogLevel, std::string_view)>;
  explicit Notices(Log log);

  void say(LogLevel level, std::string_view message) const;
  // Says `message` unless a notice of this `kind` was already given.
  void once(std::string_view kind, LogLevel level, std::string_view message);

 private:
  Log log_;
  std::set<std::string, std::less<>> given_;
};

}  // namespace hotmod::watch
