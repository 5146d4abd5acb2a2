// build::run_command: a build step's output, status, cancellation, and
// manners toward the host (its SIGCHLD handler, background children).
#include <signal.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "build/command.hpp"
#include "temp_dir_common.hpp"

namespace {

using namespace std::chrono_literals;
using hotmod::build::run_command;

TEST(RunCommand, CapturesStdoutAndStderrInOrder) {
  hotmod_test::TempDir tmp("hotmod-unit");
  auto r = run_command("echo one; echo two >&2; echo three", tmp.path());
  ASSERT_TRUE(r.ok()) << r.describe();
  EXPECT_EQ(r.output, "one\ntwo\nthree\n");
  EXPECT_GT(r.duration.count(), 0);
}

TEST(RunCommand, RunsInTheGivenFolder) {
  hotmod_test::TempDir tmp("hotmod-unit");
  auto r = run_command("pwd", tmp.path());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.output, tmp.path().string() + "\n");
}

TEST(RunCommand, ReportsTheExitCode) {
  hotmod_test::TempDir tmp("hotmod-unit");
  auto r = run_command("echo 'x.cpp:1:1: error: nope'; exit 3", tmp.path());
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.started);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.describe(), "exit code 3");
  EXPECT_NE(r.output.find("error: nope"), std::string::npos);
}

TEST(RunCommand, AMissingFolderIsNamed) {
  auto r = run_command("true", "/nonexistent/hotmod-build-dir");
  EXPECT_FALSE(r.started);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("'/nonexistent/hotmod-build-dir' does not exist"), std::string::npos)
      << r.error;
}

TEST(RunCommand, CancelStopsTheWholeProcessGroup) {
  hotmod_test::TempDir tmp("hotmod-unit");
  std::atomic<bool> cancel{false};
  std::thread canceller([&] {
    std::this_thread::sleep_for(100ms);
    cancel = true;
  });
  const auto start = std::chrono::steady_clock::now();
  auto r = run_command("sleep 30 & sleep 30; wait", tmp.path(), &cancel);
  canceller.join();
  EXPECT_TRUE(r.cancelled);
  EXPECT_FALSE(r.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

TEST(RunCommand, ABuildIgnoringSigtermIsKilled) {
  hotmod_test::TempDir tmp("hotmod-unit");
  std::atomic<bool> cancel{true};
  const auto start = std::chrono::steady_clock::now();
  auto r = run_command("trap '' TERM; sleep 30", tmp.path(), &cancel);
  EXPECT_TRUE(r.cancelled);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 15s);
}

TEST(RunCommand, ABackgroundChildHoldingTheOutputDoesNotBlock) {
  hotmod_test::TempDir tmp("hotmod-unit");
  const auto start = std::chrono::steady_clock::now();
  auto r = run_command("(sleep 30) & echo done", tmp.path());
  ASSERT_TRUE(r.ok()) << r.describe();
  EXPECT_EQ(r.output, "done\n");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

std::atomic<int> g_host_sigchld{0};

TEST(RunCommand, LeavesTheHostsSigchldHandlerAlone) {
  struct sigaction mine {};
  mine.sa_handler = [](int) { ++g_host_sigchld; };
  sigemptyset(&mine.sa_mask);
  struct sigaction old {};
  ASSERT_EQ(sigaction(SIGCHLD, &mine, &old), 0);
  hotmod_test::TempDir tmp("hotmod-unit");
  auto r = run_command("true", tmp.path());
  EXPECT_TRUE(r.ok());
  struct sigaction now {};
  ASSERT_EQ(sigaction(SIGCHLD, nullptr, &now), 0);
  EXPECT_EQ(now.sa_handler, mine.sa_handler);
  sigaction(SIGCHLD, &old, nullptr);
}

}  // namespace
