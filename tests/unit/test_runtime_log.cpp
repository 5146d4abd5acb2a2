// log/runtime_log: lines below the level are dropped; with a sink every line
// goes there, without one to stderr with a "hotmod:" prefix.
#include "log/runtime_log.hpp"

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace hotmod::log {
namespace {

TEST(RuntimeLog, SinkGetsLinesAtOrAboveTheLevel) {
  std::vector<std::pair<LogLevel, std::string>> lines;
  RuntimeLog log([&](LogLevel l, std::string_view m) { lines.emplace_back(l, std::string(m)); },
                 LogLevel::info);
  EXPECT_FALSE(log.enabled(LogLevel::debug));
  EXPECT_TRUE(log.enabled(LogLevel::info));
  log.debug("dropped");
  log.write(LogLevel::trace, "dropped too");
  log.info("kept");
  log.warn("careful");
  log.error("broken");
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], (std::pair<LogLevel, std::string>{LogLevel::info, "kept"}));
  EXPECT_EQ(lines[1], (std::pair<LogLevel, std::string>{LogLevel::warn, "careful"}));
  EXPECT_EQ(lines[2], (std::pair<LogLevel, std::string>{LogLevel::error, "broken"}));
}

TEST(RuntimeLog, WithoutSinkWritesToStderr) {
  RuntimeLog log({}, LogLevel::warn);
  ::testing::internal::CaptureStderr();
  log.info("not shown");
  log.warn("module 'x' is found twice");
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("hotmod: "), std::string::npos) << err;
  EXPECT_NE(err.find("module 'x' is found twice"), std::string::npos) << err;
  EXPECT_EQ(err.find("not shown"), std::string::npos) << err;
}

}  // namespace
}  // namespace hotmod::log
