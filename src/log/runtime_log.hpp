// The runtime's log: every line goes to RuntimeOptions::log_sink when one is
// set, otherwise to stderr through spdlog. In dev mode each line ends with
// the source location that wrote it ("[runtime_reload.cpp:212]"). Level and
// mode may change while other threads log. Thread-safe.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string_view>

#include "hotmod/context.hpp"
#include "hotmod/value.hpp"

namespace spdlog {
class logger;
}

namespace hotmod::log {

class RuntimeLog {
 public:
  using Sink = std::function<void(LogLevel, std::string_view)>;
  RuntimeLog(Sink sink, LogLevel level);

  void write(LogLevel level, std::string_view message, const char* file = __builtin_FILE(),
             int line = __builtin_LINE()) const;
  bool enabled(LogLevel level) const { return level >= level_.load(std::memory_order_relaxed); }
  void set_level(LogLevel level) { level_.store(level, std::memory_order_relaxed); }
  LogLevel level() const { return level_.load(std::memory_order_relaxed); }
  void set_locations(bool on) { locations_.store(on, std::memory_order_relaxed); }

  void debug(std::string_view m, const char* file = __builtin_FILE(),
             int line = __builtin_LINE()) const {
    write(LogLevel::debug, m, file, line);
  }
  void info(std::string_view m, const char* file = __builtin_FILE(),
            int line = __builtin_LINE()) const {
    write(LogLevel::info, m, file, line);
  }
  void warn(std::string_view m, const char* file = __builtin_FILE(),
            int line = __builtin_LINE()) const {
    write(LogLevel::warn, m, file, line);
  }
  void error(std::string_view m, const char* file = __builtin_FILE(),
             int line = __builtin_LINE()) const {
    write(LogLevel::error, m, file, line);
  }

 private:
  Sink sink_;
  std::atomic<LogLevel> level_;
  std::atomic<bool> locations_{false};
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace hotmod::log
