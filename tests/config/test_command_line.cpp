// parse_command_line: hotmod's flags are taken out, everything else stays
// for the host in order, and a bad flag is an error naming it.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "hotmod/config.hpp"

namespace hotmod {
namespace {

using Args = std::vector<std::string>;

TEST(CommandLine, TakesHotmodFlagsAndLeavesTheRestInOrder) {
  Args args{"--dev",      "scene.txt", "--log-level",   "trace",     "-v",
            "--no-watch", "-M",        "mods",          "--width=3", "--module-path=more",
            "--config",   "cfg.json",  "--debounce-ms", "45",        "out"};
  auto layer = parse_command_line(args);
  ASSERT_TRUE(layer.ok()) << layer.error().message;
  EXPECT_EQ(args, (Args{"scene.txt", "-v", "--width=3", "out"}));
  EXPECT_EQ(layer->dev_mode, true);
  EXPECT_EQ(layer->hot_reload, false);
  EXPECT_EQ(layer->log_level, LogLevel::trace);
  EXPECT_EQ(layer->debounce, std::chrono::milliseconds(45));
  EXPECT_EQ(layer->config_file, std::filesystem::path("cfg.json"));
  EXPECT_EQ(layer->module_paths, (std::vector<std::filesystem::path>{"mods", "more"}));
}

// The table command_line_flags() shows is the one parsing uses: every row's
// name and alias are taken, with a value when it names one.
TEST(CommandLine, EveryFlagInTheTableIsTaken) {
  for (const CommandLineFlag& f : command_line_flags()) {
    for (std::string_view name : {f.name, f.alias}) {
      if (name.empty()) continue;
      Args args{std::string(name)};
      if (!f.value.empty()) args.push_back(f.name == "--log-level" ? "debug" : "5");
      args.push_back("rest");
      auto layer = parse_command_line(args);
      ASSERT_TRUE(layer.ok()) << name << ": " << layer.error().message;
      EXPECT_EQ(args, (Args{"rest"})) << name;
    }
  }
  EXPECT_EQ(command_line_flags().size(), 7u) << "a new flag: add it to this test's values";
}

TEST(CommandLine, NothingGivenSetsNothing) {
  Args args{"run", "--verbose"};
  auto layer = parse_command_line(args);
  ASSERT_TRUE(layer.ok());
  EXPECT_EQ(args, (Args{"run", "--verbose"}));
  EXPECT_FALSE(layer->dev_mode);
  EXPECT_FALSE(layer->hot_reload);
  EXPECT_FALSE(layer->log_level);
  EXPECT_FALSE(layer->debounce);
  EXPECT_FALSE(layer->config_file);
  EXPECT_TRUE(layer->module_paths.empty());
}

TEST(CommandLine, EqualsAndAttachedForms) {
  Args args{"--log-level=warning", "--debounce-ms=0", "--config=a.json", "-Mone", "-M=two"};
  auto layer = parse_command_line(args);
  ASSERT_TRUE(layer.ok()) << layer.error().message;
  EXPECT_TRUE(args.empty());
  EXPECT_EQ(layer->log_level, LogLevel::warn);
  EXPECT_EQ(layer->debounce, std::chrono::milliseconds(0));
  EXPECT_EQ(layer->config_file, std::filesystem::path("a.json"));
  EXPECT_EQ(layer->module_paths, (std::vector<std::filesystem::path>{"one", "two"}));
}

TEST(CommandLine, TheLastOfOpposingFlagsWins) {
  Args args{"--dev", "--no-dev"};
  auto layer = parse_command_line(args);
  ASSERT_TRUE(layer.ok());
  EXPECT_EQ(layer->dev_mode, false);
  Args again{"--no-dev", "--dev", "--log-level", "info", "--log-level", "error"};
  layer = parse_command_line(again);
  ASSERT_TRUE(layer.ok());
  EXPECT_EQ(layer->dev_mode, true);
  EXPECT_EQ(layer->log_level, LogLevel::error);
}

TEST(CommandLine, DoubleDashEndsHotmodsFlags) {
  Args args{"--dev", "--", "--no-dev", "-M", "x"};
  auto layer = parse_command_line(args);
  ASSERT_TRUE(layer.ok());
  EXPECT_EQ(layer->dev_mode, true);
  EXPECT_TRUE(layer->module_paths.empty());
  EXPECT_EQ(args, (Args{"--", "--no-dev", "-M", "x"}));
}

// Each bad input: the error names the flag and says what it takes.
struct BadFlag {
  Args args;
  std::string flag;
  std::string says;
};

TEST(CommandLine, BadFlagsNameTheFlagAndTheFix) {
  const std::vector<BadFlag> cases{
      {{"--log-level"}, "--log-level", "needs a value: --log-level LEVEL"},
      {{"--log-level", "--dev"}, "--log-level", "needs a value"},
      {{"--log-level", "loud"}, "--log-level", "'loud' is not a log level; use trace, debug"},
      {{"--log-level="}, "--log-level", "needs a value"},
      {{"--debounce-ms", "fast"}, "--debounce-ms", "'fast' is not a number of milliseconds"},
      {{"--debounce-ms", "-5"}, "--debounce-ms", "'-5' is not a number of milliseconds"},
      {{"--debounce-ms=-5"}, "--debounce-ms", "'-5' is not a number of milliseconds"},
      {{"--debounce-ms=1.5"}, "--debounce-ms", "e.g. 30"},
      {{"--config"}, "--config", "needs a value: --config FILE"},
      {{"-M"}, "-M", "needs a value: -M DIR"},
      {{"--module-path", "-v"}, "--module-path", "needs a value: --module-path DIR"},
      {{"--dev=yes"}, "--dev", "takes no value; write --dev alone"},
      {{"--no-watch=1"}, "--no-watch", "takes no value"},
  };
  for (const auto& c : cases) {
    Args args = c.args;
    auto layer = parse_command_line(args);
    ASSERT_FALSE(layer.ok()) << c.args[0];
    const std::string& m = layer.error().message;
    EXPECT_EQ(m.rfind(c.flag + ": ", 0), 0u) << m;
    EXPECT_NE(m.find(c.says), std::string::npos) << m;
    EXPECT_EQ(args, c.args) << "arguments are untouched on error";
  }
}

}  // namespace
}  // namespace hotmod
