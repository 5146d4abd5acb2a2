// The runtime's log: every line goes to RuntimeOptions::log_sink when one is
// set, otherwise to stderr through spdlog. Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "hotmod/context.hpp"

namespace spdlog {
class logger;
}

namespace hotmod::log {

class RuntimeLog {
 public:
  using Sink = std::function<void(LogLevel, std::string_view)>;
  RuntimeLog(Sink sink, LogLevel level);

  void write(LogLevel level, std::string_view message) const;
  bool enabled(LogLevel level) const { return level >= level_; }
  void debug(std::string_view m) const { write(LogLevel::debug, m); }
  void info(std::string_view m) const { write(LogLevel::info, m); }
  void warn(std::string_view m) const { write(LogLevel::warn, m); }
  void error(std::string_view m) const { write(LogLevel::error, m); }

 private:
  Sink sink_;
  LogLevel level_;
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace hotmod::log
