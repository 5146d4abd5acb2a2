// process/: running a command to its end (a build rule through the shell, a
// compiler by argv) — output, status, cancellation, manners toward the host
// (its SIGCHLD handler, background children) — and a Child the caller talks
// to while it runs.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "files.hpp"
#include "host_children.hpp"
#include "process/run.hpp"
#include "temp_dir_common.hpp"

namespace {

using namespace std::chrono_literals;
namespace process = hotmod::process;

process::Outcome run_command(const std::string& line, const std::filesystem::path& dir,
                             const std::atomic<bool>* cancel = nullptr) {
  return process::run(process::shell(line, dir), cancel);
}

using hotmod_test::read_file;

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
  // Cancels once the command is under way: its background child started
  // and the shell waiting on its own.
  const std::filesystem::path started = tmp.path() / "started";
  std::thread canceller([&] {
    const auto limit = std::chrono::steady_clock::now() + 20s;
    while (!std::filesystem::exists(started) && std::chrono::steady_clock::now() < limit)
      std::this_thread::yield();
    cancel = true;
  });
  const auto start = std::chrono::steady_clock::now();
  auto r = run_command("sleep 30 & touch started; sleep 30; wait", tmp.path(), &cancel);
  canceller.join();
  EXPECT_TRUE(r.cancelled);
  EXPECT_FALSE(r.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

// A command past its time limit is stopped, whole group, and says why.
TEST(RunCommand, ACommandPastItsTimeLimitIsStoppedAndSaysSo) {
  hotmod_test::TempDir tmp("hotmod-unit");
  const auto start = std::chrono::steady_clock::now();
  const hotmod::process::Outcome r = hotmod::process::run(
      hotmod::process::shell("sleep 30 & sleep 30; wait", tmp.path()), nullptr, 1s);
  EXPECT_TRUE(r.timed_out);
  EXPECT_FALSE(r.cancelled);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.describe(), "stopped after 1 s, its time limit");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  const hotmod::process::Outcome quick =
      hotmod::process::run(hotmod::process::shell("true", tmp.path()), nullptr, 30s);
  EXPECT_TRUE(quick.ok()) << quick.describe();
  EXPECT_FALSE(quick.timed_out);
}

// A program that is not there, or not a program, says which and why.
TEST(RunCommand, AProgramThatCannotStartIsNamed) {
  hotmod_test::TempDir tmp("hotmod-unit");
  const auto missing =
      hotmod::process::run(hotmod::process::Command({"hotmod-no-such-program", "x"}, tmp.path()));
  EXPECT_FALSE(missing.started);
  EXPECT_NE(missing.error.find("cannot run hotmod-no-such-program: not found"), std::string::npos)
      << missing.error;
  hotmod_test::write_file(tmp.path() / "data.txt", "not a program\n");
  const auto data = hotmod::process::run(
      hotmod::process::Command({(tmp.path() / "data.txt").string()}, tmp.path()));
  EXPECT_FALSE(data.started);
  EXPECT_NE(data.error.find("Permission denied"), std::string::npos) << data.error;
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
  EXPECT_EQ(g_host_sigchld.load(), 0) << "hotmod's children end without a SIGCHLD to the host";
  sigaction(SIGCHLD, &old, nullptr);
}

// A host that ignores SIGCHLD has the kernel reap its children at once;
// hotmod's are not its children in that sense, and report how they ended.
TEST(RunCommand, ExitStatusIsKeptWhenTheHostIgnoresSigchld) {
  hotmod_test::IgnoringSigchld host;
  ASSERT_TRUE(host.ok());
  hotmod_test::TempDir tmp("hotmod-unit");
  EXPECT_TRUE(run_command("true", tmp.path()).ok());
  const auto failed = run_command("echo broken; exit 3", tmp.path());
  EXPECT_EQ(failed.exit_code, 3) << failed.describe();
  EXPECT_EQ(failed.output, "broken\n");
  EXPECT_EQ(run_command("kill -TERM $$", tmp.path()).signal, SIGTERM);
  auto child = process::Child::spawn(process::shell("exit 5", tmp.path()));
  ASSERT_TRUE(child.ok()) << child.error().message;
  EXPECT_EQ(child->wait().code, 5);
}

// A host thread reaping every child it has (waitpid(-1) in a loop, as a
// process supervisor does) reaps its own, never hotmod's.
TEST(RunCommand, ExitStatusIsKeptWhileTheHostReapsItsChildren) {
  hotmod_test::TempDir tmp("hotmod-unit");
  hotmod_test::ReapingEveryChild host;
  // One child of the host's own, which its reaper must take.
  const pid_t own = ::fork();
  if (own == 0) ::_exit(0);
  ASSERT_GT(own, 0);
  for (int i = 0; i < 20; ++i) {
    const auto r = run_command("exit " + std::to_string(i % 7), tmp.path());
    EXPECT_EQ(r.exit_code, i % 7) << r.describe();
  }
  while (host.reaped() == 0) std::this_thread::yield();  // the host's own child
  EXPECT_EQ(host.reaped(), 1) << "the host's reaper took only its own child";
}

// Killing the program through its helper reaches it, and only it.
TEST(Child, ASignalReachesTheProgramNotItsHelper) {
  hotmod_test::TempDir tmp("hotmod-unit");
  process::Streams s;
  s.own_group = false;
  auto child = process::Child::spawn(process::Command({"sleep", "30"}, tmp.path()), s);
  ASSERT_TRUE(child.ok()) << child.error().message;
  child->signal(SIGTERM);
  const process::Exit e = child->wait();
  EXPECT_EQ(e.signal, SIGTERM);
  EXPECT_FALSE(e.status_lost);
}

// Compilers and linkers run from argv: no shell reads their arguments.
TEST(RunCommand, ArgvReachesTheProgramAsWritten) {
  hotmod_test::TempDir tmp("hotmod-unit");
  auto r = process::run({{"printf", "%s|", "two words", "it's", "$HOME", "*"}, tmp.path()});
  ASSERT_TRUE(r.ok()) << r.describe() << r.output;
  EXPECT_EQ(r.output, "two words|it's|$HOME|*|");
}

TEST(RunCommand, EnvironmentEntriesReplaceTheHosts) {
  hotmod_test::TempDir tmp("hotmod-unit");
  ::setenv("HOTMOD_TEST_VARIABLE", "host", 1);
  process::Command c{{"sh", "-c", "echo \"$HOTMOD_TEST_VARIABLE/$HOTMOD_TEST_OTHER\""}, tmp.path()};
  auto inherited = process::run(c);
  EXPECT_EQ(inherited.output, "host/\n");
  c.environment = {"HOTMOD_TEST_VARIABLE=mine", "HOTMOD_TEST_OTHER=x=y"};
  auto replaced = process::run(c);
  EXPECT_EQ(replaced.output, "mine/x=y\n");
  c.inherit_environment = false;
  c.environment = {"PATH=/usr/bin:/bin"};
  auto clean = process::run(c);
  EXPECT_EQ(clean.output, "/\n");
  ::unsetenv("HOTMOD_TEST_VARIABLE");
}

TEST(RunCommand, AMissingProgramIsNamedWithTheFix) {
  auto r = process::run({{"hotmod-no-such-program", "--version"}});
  EXPECT_FALSE(r.started);
  EXPECT_NE(r.error.find("cannot run hotmod-no-such-program: not found"), std::string::npos)
      << r.error;
  EXPECT_NE(r.error.find("in PATH"), std::string::npos) << r.error;
  EXPECT_EQ(r.describe(), r.error);
}

TEST(RunCommand, ASignalEndingItIsReported) {
  hotmod_test::TempDir tmp("hotmod-unit");
  auto r = run_command("kill -KILL $$", tmp.path());
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_EQ(r.describe(), "killed by signal 9");
}

TEST(RunCommand, HugeOutputKeepsItsHeadAndTail) {
  hotmod_test::TempDir tmp("hotmod-unit");
  auto r = run_command("echo first; head -c 3000000 /dev/zero | tr '\\0' x; echo; echo last",
                       tmp.path());
  ASSERT_TRUE(r.ok()) << r.describe();
  EXPECT_TRUE(r.output.starts_with("first\n")) << r.output.substr(0, 20);
  EXPECT_TRUE(r.output.ends_with("\nlast\n"));
  EXPECT_NE(r.output.find("bytes of output left out"), std::string::npos);
  EXPECT_LT(r.output.size(), 1100000u);
}

TEST(Child, TalksThroughPipesAndEndsWithItsExitCode) {
  hotmod_test::TempDir tmp("hotmod-unit");
  process::Streams streams;
  streams.input = process::Streams::Input::pipe;
  auto child = process::Child::spawn(
      {{"sh", "-c", "read line; echo \"got $line\"; exit 4"}, tmp.path()}, streams);
  ASSERT_TRUE(child.ok()) << child.error().message;
  EXPECT_FALSE(child->wait_for(0ms)) << "still reading its input";
  ASSERT_TRUE(child->write("hello\n"));
  child->close_stdin();
  std::string out;
  while (child->read(out, 10s)) {
  }
  EXPECT_EQ(out, "got hello\n");
  const process::Exit exit = child->wait();
  EXPECT_EQ(exit.code, 4);
  EXPECT_EQ(exit.signal, 0);
}

TEST(Child, WritesToFilesAndIsSignalled) {
  hotmod_test::TempDir tmp("hotmod-unit");
  process::Streams streams;
  streams.output = process::Streams::Output::files;
  streams.stdout_file = tmp.path() / "out.txt";
  streams.stderr_file = tmp.path() / "err.txt";
  auto child = process::Child::spawn(
      {{"sh", "-c", "echo out; echo err >&2; exec sleep 30"}, tmp.path()}, streams);
  ASSERT_TRUE(child.ok()) << child.error().message;
  child->signal(SIGTERM);
  const std::optional<process::Exit> exit = child->wait_for(20s);
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->signal, SIGTERM);
  // Written before the sleep began, or not at all if the signal came first.
  const std::string out = read_file(tmp.path() / "out.txt");
  EXPECT_TRUE(out.empty() || out == "out\n") << out;
  EXPECT_TRUE(std::filesystem::exists(tmp.path() / "err.txt"));
}

TEST(Child, DestroyingARunningChildKillsAndReapsIt) {
  pid_t pid = -1;
  {
    auto child = process::Child::spawn({{"sleep", "30"}});
    ASSERT_TRUE(child.ok()) << child.error().message;
    pid = child->pid();
    EXPECT_EQ(::kill(pid, 0), 0) << "it runs";
  }
  EXPECT_NE(::kill(pid, 0), 0) << "gone, and reaped: no zombie left behind";
}

TEST(ShellQuote, QuotesOnlyWhatTheShellWouldReadDifferently) {
  EXPECT_EQ(process::shell_quote("plain-arg_1.cpp"), "plain-arg_1.cpp");
  EXPECT_EQ(process::shell_quote("two words"), "'two words'");
  EXPECT_EQ(process::shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(process::shell_quote(""), "''");
  EXPECT_EQ(process::shell_join({"g++", "-DX=\"a b\"", "-c"}), "g++ '-DX=\"a b\"' -c");
}

}  // namespace
