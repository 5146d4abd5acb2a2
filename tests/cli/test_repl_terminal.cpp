// `hotmod repl` on a terminal (a pseudo-terminal): the prompt and its
// continuation, notices drawn above the prompt without losing the line
// being typed, tab completion, Ctrl-C (dropping the line, or stopping a
// running chunk), Ctrl-D and the history file.
#include <fstream>

#include <gtest/gtest.h>

#include "cli_test_support.hpp"
#include "fixture_paths.hpp"
#include "run_pty.hpp"

namespace hotmod_test {
namespace {

namespace fs = std::filesystem;
constexpr std::size_t npos = std::string::npos;

class ReplOnTerminal : public CliTest {
 protected:
  ReplOnTerminal() { install(fixtures::counter_v1, "mods/counter.so"); }
  std::unique_ptr<OnTerminal> start(std::vector<std::string> args = {"-M", "mods", "repl"}) {
    return std::make_unique<OnTerminal>(args, RunOptions{dir_.path(), {}, std::nullopt});
  }
};

TEST_F(ReplOnTerminal, PromptsEvaluatesAndPromptsAgain) {
  auto t = start();
  std::size_t at = t->wait_for(".help lists the commands, Ctrl-D leaves.");
  ASSERT_NE(at, npos) << t->screen();
  at = t->wait_for("hotmod> ", at);
  ASSERT_NE(at, npos) << t->screen();
  t->type("print(1)\r");
  at = t->wait_for("1\r\n", at);
  ASSERT_NE(at, npos) << t->screen();
  ASSERT_NE(t->wait_for("hotmod> ", at), npos) << t->screen();
  t->type("\x04");  // Ctrl-D
  EXPECT_EQ(t->wait_exit(), 0) << t->screen();
}

TEST_F(ReplOnTerminal, AnUnfinishedChunkPromptsForMore) {
  auto t = start();
  std::size_t at = t->wait_for("hotmod> ");
  t->type("function f()\r");
  at = t->wait_for("...> ", at);
  ASSERT_NE(at, npos) << t->screen();
  t->type("end\r");
  ASSERT_NE(t->wait_for("hotmod> ", at), npos) << t->screen();
  t->type(".quit\r");
  EXPECT_EQ(t->wait_exit(), 0) << t->screen();
}

// The watcher's reload arrives while "prin" is half typed: the notice is
// drawn on its own line, then the prompt with "prin" again, and typing
// goes on where it was.
TEST_F(ReplOnTerminal, ANoticeIsDrawnAboveThePromptAndTheLineKept) {
  auto t = start();
  std::size_t at = t->wait_for("hotmod> ");
  t->type(".watch counter\r");
  at = t->wait_for("changes are reported here as they happen", at);
  ASSERT_NE(at, npos) << t->screen();
  at = t->wait_for("hotmod> ", at);
  t->type("prin");
  ASSERT_NE(t->wait_for("prin", at), npos) << t->screen();
  install(fixtures::counter_v2, "mods/counter.so");
  at = t->wait_for("Module 'counter' reloaded (library, ", at);
  ASSERT_NE(at, npos) << t->screen();
  EXPECT_NE(t->screen().find("\033[32m[OK]\033[0m Module 'counter' reloaded"), npos)
      << "green on a terminal";
  at = t->wait_for("hotmod> prin", at);
  ASSERT_NE(at, npos) << "the prompt and the typed text are drawn again:\n" << t->screen();
  t->type("t(counter.version())\r");
  ASSERT_NE(t->wait_for("2\r\n", at), npos) << t->screen();
  t->type(".quit\r");
  EXPECT_EQ(t->wait_exit(), 0) << t->screen();
}

TEST_F(ReplOnTerminal, TabCompletesDotCommandsAndModuleNames) {
  auto t = start();
  std::size_t at = t->wait_for("hotmod> ");
  t->type(".modi\t");
  at = t->wait_for("nfo", at);
  ASSERT_NE(at, npos) << t->screen();
  t->type(" cou\t");
  at = t->wait_for("nter", at);
  ASSERT_NE(at, npos) << t->screen();
  t->type("\r");
  ASSERT_NE(t->wait_for("name:         counter", at), npos) << t->screen();
  t->type(".quit\r");
  EXPECT_EQ(t->wait_exit(), 0) << t->screen();
}

TEST_F(ReplOnTerminal, CtrlCDropsTheLineNotTheSession) {
  auto t = start();
  std::size_t at = t->wait_for("hotmod> ");
  t->type("function g()\r");
  at = t->wait_for("...> ", at);
  t->type("\x03");
  at = t->wait_for("^C", at);
  ASSERT_NE(at, npos) << t->screen();
  at = t->wait_for("hotmod> ", at);
  ASSERT_NE(at, npos) << "back to a fresh prompt:\n" << t->screen();
  t->type("print(3)\r");
  ASSERT_NE(t->wait_for("3\r\n", at), npos) << t->screen();
  t->type(".quit\r");
  EXPECT_EQ(t->wait_exit(), 0) << t->screen();
}

// Ctrl-C while a chunk runs stops it, as in lua: its error is reported and
// the prompt comes back. The chunk prints first so that Ctrl-C comes once it
// runs (before, it would only drop the line being typed).
TEST_F(ReplOnTerminal, CtrlCStopsARunningChunk) {
  auto t = start();
  std::size_t at = t->wait_for("hotmod> ");
  // A runaway loop that also makes system calls: ThreadSanitizer holds a
  // signal back until the thread enters the C library, so a loop of pure
  // Lua would never see Ctrl-C in the tsan preset (in other builds it does).
  t->type("print(6 * 7) while true do io.open('/dev/null'):close() end\r");
  at = t->wait_for("42\r\n", at);
  ASSERT_NE(at, npos) << t->screen();
  t->type("\x03");
  at = t->wait_for("interrupted!", at);
  ASSERT_NE(at, npos) << t->screen();
  at = t->wait_for("hotmod> ", at);
  ASSERT_NE(at, npos) << "back to the prompt:\n" << t->screen();
  t->type("print(3)\r");
  ASSERT_NE(t->wait_for("3\r\n", at), npos) << t->screen();
  t->type(".quit\r");
  EXPECT_EQ(t->wait_exit(), 0) << t->screen();
}

TEST_F(ReplOnTerminal, LinesAreKeptInTheHistoryFile) {
  {
    auto t = start();
    std::size_t at = t->wait_for("hotmod> ");
    t->type("print(5)\r");
    ASSERT_NE(t->wait_for("5\r\n", at), npos) << t->screen();
    t->type(".quit\r");
    ASSERT_EQ(t->wait_exit(), 0) << t->screen();
  }
  std::ifstream in(dir_ / ".home/.local/state/hotmod/history");
  const std::string history{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  EXPECT_NE(history.find("print(5)"), npos) << history;
  // The next session starts with it: Up twice (past .quit) brings it back.
  auto t = start();
  std::size_t at = t->wait_for("hotmod> ");
  t->type("\033[A\033[A");
  at = t->wait_for("print(5)", at);
  ASSERT_NE(at, npos) << t->screen();
  t->type("\r");
  ASSERT_NE(t->wait_for("5\r\n", at), npos) << t->screen();
  t->type(".quit\r");
  EXPECT_EQ(t->wait_exit(), 0) << t->screen();
}

TEST_F(ReplOnTerminal, AnUnwritableHistoryIsSaidOnce) {
  write(".home/.local/state/hotmod", "a file where the folder should be");
  auto t = start();
  std::size_t at = t->wait_for("cannot keep the history in ");
  ASSERT_NE(at, npos) << t->screen();
  at = t->wait_for("hotmod> ", at);
  t->type("print(1)\r");
  at = t->wait_for("1\r\n", at);
  t->type("print(2)\r");
  ASSERT_NE(t->wait_for("2\r\n", at), npos) << t->screen();
  EXPECT_EQ(t->screen().find("cannot keep the history", at), npos) << "once only";
  t->type(".quit\r");
  EXPECT_EQ(t->wait_exit(), 0) << t->screen();
}

}  // namespace
}  // namespace hotmod_test
