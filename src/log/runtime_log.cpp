#include "log/runtime_log.hpp"

#include <string>

#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace hotmod::log {
namespace {

spdlog::level::level_enum to_spdlog(LogLevel level) {
  switch (level) {
    case LogLevel::trace:
      return spdlog::level::trace;
    case LogLevel::debug:
      return spdlog::level::debug;
    case LogLevel::info:
      return spdlog::level::info;
    case LogLevel::warn:
      return spdlog::level::warn;
    case LogLevel::error:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

std::shared_ptr<spdlog::logger> stderr_logger() {
  // One logger for every runtime in the process; spdlog's registry is global.
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto l = std::make_shared<spdlog::logger>(
        "hotmod", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    l->set_pattern("%^hotmod: %l:%$ %v");
    l->set_level(spdlog::level::trace);
    return l;
  }();
  return logger;
}

}  // namespace

RuntimeLog::RuntimeLog(Sink sink, LogLevel level) : sink_(std::move(sink)), level_(level) {
  if (!sink_) logger_ = stderr_logger();
}

void RuntimeLog::write(LogLevel level, std::string_view message, const char* file, int line) const {
  if (!enabled(level)) return;
  std::string located;
  if (locations_.load(std::memory_order_relaxed) && file != nullptr) {
    std::string_view f(file);
    if (auto slash = f.rfind('/'); slash != std::string_view::npos) f.remove_prefix(slash + 1);
    located = fmt::format("{} [{}:{}]", message, f, line);
    message = located;
  }
  if (sink_) {
    sink_(level, message);
    return;
  }
  logger_->log(to_spdlog(level), "{}", message);
}

}  // namespace hotmod::log
