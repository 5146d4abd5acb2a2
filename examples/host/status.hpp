// status.hpp — what the host prints under the aquarium: one row per module,
// failed reloads until they are fixed, and the runtime's latest log lines.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <hotmod/runtime.hpp>

namespace host {

struct Line {
  std::string text;
  int color = -1;  // xterm-256, -1: the terminal's default
};

// "14:03:22"
std::string clock_time(std::chrono::system_clock::time_point t);

// The runtime's log lines. In a terminal the newest few show under the
// picture, since printing them would scroll it away; otherwise they go
// straight to stderr. The sink may be called from any thread.
class LogTail {
 public:
  explicit LogTail(bool keep) : keep_(keep) {}
  void add(hotmod::LogLevel level, std::string_view message);
  std::vector<Line> lines() const;

 private:
  bool keep_;
  mutable std::mutex mutex_;
  std::deque<Line> lines_;
};

// What the host knows about reload attempts, fed by Runtime::on_reload on
// whichever thread reloads (today: the host's, inside refresh()).
class ReloadBoard {
 public:
  void record(const hotmod::ReloadStats& s);
  std::map<std::string, hotmod::ReloadStats> failures() const;
  std::optional<std::chrono::system_clock::time_point> last() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, hotmod::ReloadStats> failures_;  // until the module reloads fine
  std::optional<std::chrono::system_clock::time_point> last_;
};

struct Status {
  std::vector<Line> modules;   // a header, then one row per module
  std::vector<Line> problems;  // failed reloads, until the module reloads fine
};

// Asks the registry, so the host builds it on refresh rather than every frame.
Status status(const hotmod::Runtime& rt, const ReloadBoard& board,
              std::span<const char* const> module_names);

}  // namespace host
