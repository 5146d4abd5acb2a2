// `hotmod watch`: runs until a signal, printing a line per reload attempt.
// The test installs new module files the way a build does and waits for
// the lines, never for a fixed time.
#include <signal.h>

#include <regex>

#include <gtest/gtest.h>

#include "cli_test_support.hpp"
#include "fixture_paths.hpp"

namespace hotmod_test {
namespace {

namespace fs = std::filesystem;
using Watch = CliTest;

TEST_F(Watch, ReportsEachReloadAndStopsCleanlyOnCtrlC) {
  install(fixtures::counter_v1, "mods/counter.so");
  auto watch = background({"-M", "mods", "watch", "counter"});
  ASSERT_TRUE(watch->wait_for_out("; Ctrl-C stops\n")) << watch->out() << watch->err();
  EXPECT_TRUE(std::regex_search(
      watch->out(), std::regex("\\[OK\\] Module 'counter' loaded \\(library, [0-9.]+ ms\\)\n")))
      << watch->out();

  install(fixtures::counter_v2, "mods/counter.so");
  ASSERT_TRUE(watch->wait_for_out("[OK] Module 'counter' reloaded (library, "))
      << watch->out() << watch->err();

  install(fixtures::counter_onload_throws, "mods/counter.so");
  ASSERT_TRUE(
      watch->wait_for_out("[FAILED] Module 'counter' kept at version 2.0.0: on_load "
                          "threw, see hotmod info counter\n"))
      << watch->out() << watch->err();

  watch->signal(SIGINT);
  const Ran run = watch->wait();
  EXPECT_EQ(run.exit_code, 0) << shown(run);
}

TEST_F(Watch, SigtermStopsItToo) {
  install(fixtures::counter_v1, "mods/counter.so");
  auto watch = background({"-M", "mods", "watch"});
  ASSERT_TRUE(watch->wait_for_out("watching 1 module in ")) << watch->out() << watch->err();
  watch->signal(SIGTERM);
  EXPECT_EQ(watch->wait().exit_code, 0);
}

TEST_F(Watch, ABrokenSourceModuleIsReportedAndKeptRunning) {
  write("mods/hello.cpp", kGoodModule);
  auto watch = background({"-M", "mods", "watch", "hello"});
  ASSERT_TRUE(watch->wait_for_out("; Ctrl-C stops\n")) << watch->out() << watch->err();
  EXPECT_TRUE(has(watch->out(), "[OK] Module 'hello' loaded (source, ")) << watch->out();
  write("mods/hello.cpp", kBrokenModule);
  ASSERT_TRUE(
      watch->wait_for_out("[FAILED] Module 'hello' kept at version 1.0.0: build error (1 "
                          "error), see hotmod info hello\n"))
      << watch->out() << watch->err();
  watch->signal(SIGINT);
  EXPECT_EQ(watch->wait().exit_code, 0);
}

TEST_F(Watch, AnUnknownNameIsAUsageError) {
  install(fixtures::counter_v1, "mods/counter.so");
  const Ran run = hotmod({"-M", "mods", "watch", "countr"});
  EXPECT_EQ(run.exit_code, 2) << shown(run);
  EXPECT_TRUE(
      has(run.err, "no module named 'countr' in " + mods().string() + "; did you mean 'counter'?"))
      << run.err;
}

}  // namespace
}  // namespace hotmod_test
