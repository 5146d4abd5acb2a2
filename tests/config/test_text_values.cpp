// config/text_values and the public log-level helpers: how settings written
// as text (environment, command line) are read.
#include "config/text_values.hpp"

#include <gtest/gtest.h>

#include "hotmod/config.hpp"

namespace hotmod::config {
namespace {

TEST(TextValues, BooleansInEveryAcceptedSpelling) {
  for (const char* yes : {"1", "true", "TRUE", "True", "yes", "YES", "on", "On"})
    EXPECT_EQ(parse_bool(yes), true) << yes;
  for (const char* no : {"0", "false", "False", "no", "NO", "off", "OFF"})
    EXPECT_EQ(parse_bool(no), false) << no;
  for (const char* bad : {"", "2", "y", "n", "enable", "truee", " true", "true ", "-1"})
    EXPECT_EQ(parse_bool(bad), std::nullopt) << bad;
}

TEST(TextValues, LogLevelsRoundTrip) {
  for (LogLevel l :
       {LogLevel::trace, LogLevel::debug, LogLevel::info, LogLevel::warn, LogLevel::error})
    EXPECT_EQ(parse_log_level(to_string(l)), l);
  EXPECT_EQ(to_string(LogLevel::trace), "trace");
  EXPECT_EQ(to_string(LogLevel::debug), "debug");
  EXPECT_EQ(to_string(LogLevel::info), "info");
  EXPECT_EQ(to_string(LogLevel::warn), "warn");
  EXPECT_EQ(to_string(LogLevel::error), "error");
}

TEST(TextValues, LogLevelAliasesAndCase) {
  EXPECT_EQ(parse_log_level("warning"), LogLevel::warn);
  EXPECT_EQ(parse_log_level("DEBUG"), LogLevel::debug);
  EXPECT_EQ(parse_log_level("Error"), LogLevel::error);
  for (const char* bad : {"", "verbose", "err", "critical", "infos", " info"})
    EXPECT_EQ(parse_log_level(bad), std::nullopt) << bad;
}

TEST(TextValues, MillisecondsAreWholeAndBounded) {
  EXPECT_EQ(parse_millis("0"), std::chrono::milliseconds(0));
  EXPECT_EQ(parse_millis("30"), std::chrono::milliseconds(30));
  EXPECT_EQ(parse_millis("86400000"), std::chrono::milliseconds(86'400'000));
  for (const char* bad :
       {"", "-1", "+5", "30ms", "3.5", " 30", "30 ", "1e3", "86400001", "99999999999999999999999"})
    EXPECT_EQ(parse_millis(bad), std::nullopt) << bad;
}

}  // namespace
}  // namespace hotmod::config
