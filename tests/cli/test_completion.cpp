// The REPL's tab completion, called directly: no terminal, no process.
#include <gtest/gtest.h>

#include "cli/repl_completion.hpp"

namespace hotmod_test {
namespace {

using hotmod::cli::completion_word_start;
using hotmod::cli::repl_complete;
using Words = std::vector<std::string>;

const Words kModules{"config", "counter", "tools.math"};

Words lua_says(std::string_view) {
  return {"print", "pairs", "print"};
}

TEST(Completion, ADotStartsACommandName) {
  EXPECT_EQ(repl_complete(".re", kModules, lua_says), (Words{".refresh", ".reload", ".reloadall"}));
  EXPECT_EQ(repl_complete(".", kModules, lua_says).size(), 14u);
  EXPECT_EQ(repl_complete("  .q", kModules, lua_says), Words{".quit"});
  EXPECT_EQ(repl_complete(".zzz", kModules, lua_says), Words{});
}

TEST(Completion, CommandsTakingAModuleCompleteModuleNames) {
  for (const char* command : {".reload ", ".modinfo ", ".errors "})
    EXPECT_EQ(repl_complete(std::string(command) + "co", kModules, lua_says),
              (Words{"config", "counter"}))
        << command;
  EXPECT_EQ(repl_complete(".reload tools.", kModules, lua_says), Words{"tools.math"});
}

TEST(Completion, WatchAlsoTakesAllAndOff) {
  EXPECT_EQ(repl_complete(".watch ", kModules, lua_says),
            (Words{"all", "config", "counter", "off", "tools.math"}));
  EXPECT_EQ(repl_complete(".watch o", kModules, lua_says), Words{"off"});
}

TEST(Completion, DevmodeAndTraceCompleteTheirWords) {
  EXPECT_EQ(repl_complete(".devmode o", kModules, lua_says), (Words{"off", "on"}));
  EXPECT_EQ(repl_complete(".trace o", kModules, lua_says), Words{"off"});
}

TEST(Completion, CommandsWithoutArgumentsOrPastTheirArgumentCompleteNothing) {
  EXPECT_EQ(repl_complete(".modules c", kModules, lua_says), Words{});
  EXPECT_EQ(repl_complete(".reload counter c", kModules, lua_says), Words{});
}

TEST(Completion, AnythingElseIsLuaSortedAndUnique) {
  std::string seen;
  const auto lua = [&seen](std::string_view line) {
    seen = std::string(line);
    return lua_says(line);
  };
  EXPECT_EQ(repl_complete("x = pr", kModules, lua), (Words{"pairs", "print"}));
  EXPECT_EQ(seen, "x = pr") << "the console gets the whole line before the cursor";
}

TEST(Completion, TheReplacedWordKeepsDotsAndColons) {
  EXPECT_EQ(completion_word_start("x = tools.ma"), 4u);
  EXPECT_EQ(completion_word_start("s:up"), 0u);
  EXPECT_EQ(completion_word_start(".reload co"), 8u);
  EXPECT_EQ(completion_word_start(".rel"), 0u);
  EXPECT_EQ(completion_word_start("f(a, "), 5u);
}

}  // namespace
}  // namespace hotmod_test
