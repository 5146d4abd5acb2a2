// Crash containment: module code that crashes — every way it can, on any
// thread, many threads at once, through every way into it — fails that call
// with Failure::crashed, naming module, version and signal, and the host
// goes on: the version keeps answering, pins are released (a reload still
// completes), a crashing new version leaves the old one serving. Crashes
// containment must not swallow still kill the process, saying whose they
// were.
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "crash_support.hpp"

namespace hotmod_test {
namespace {

using crasher_fixture::ICrasher;

struct Way {
  int how;
  const char* name;
  const char* says;  // in the message
};

void PrintTo(const Way& w, std::ostream* os) {
  *os << w.name;
}

const Way kWays[] = {
    {crasher_fixture::null_write, "NullWrite", "SIGSEGV"},
    {crasher_fixture::divide_by_zero, "DivideByZero", "SIGFPE"},
    {crasher_fixture::trap, "Trap", "SIGILL"},
    {crasher_fixture::abort_now, "Abort", "SIGABRT"},
    {crasher_fixture::terminate_now, "Terminate", "SIGABRT"},
    {crasher_fixture::stack_overflow, "StackOverflow", "stack overflow"},
    {crasher_fixture::call_null, "CallThroughNull", "SIGSEGV"},
    {crasher_fixture::noexcept_throw, "ThrowThroughNoexcept", "SIGABRT"},
    {crasher_fixture::bus_error, "ReadPastTheEndOfAMappedFile", "SIGBUS"},
};

class EveryWay : public CrashTest, public ::testing::WithParamInterface<Way> {};

TEST_P(EveryWay, FailsTheCallNamingModuleVersionAndSignalAndTheHostGoesOn) {
  const Way& way = GetParam();
  install_crasher(fixtures::crasher_v1);
  hotmod::Runtime rt(dev_options());
  hotmod::Module m = load(rt, "crasher");
  EXPECT_EQ(call_int(m, "calls"), 1);

  hotmod::Error error;
  EXPECT_EQ(crash_call(m, way.how, &error), -1) << "the call returned";
  EXPECT_EQ(error.failure, hotmod::Failure::crashed) << error.message;
  EXPECT_EQ(error.stage, hotmod::Stage::call);
  for (const char* part : {"'crash'", "module 'crasher'", "1.0.0", way.says})
    EXPECT_NE(error.message.find(part), std::string::npos) << part << " in: " << error.message;
  EXPECT_EQ(error.message.find('\n'), std::string::npos) << "one line: " << error.message;
  EXPECT_NE(error.diagnostics.find("crashed at:"), std::string::npos) << error.diagnostics;
  EXPECT_NE(error.diagnostics.find("crasher.cpp"), std::string::npos)
      << "the backtrace names the module's source\n"
      << error.diagnostics;

  // The same version answers, its state counted the crashed call.
  EXPECT_EQ(call_int(m, "version"), 1);
  EXPECT_EQ(call_int(m, "calls"), 3);
  // Nothing stays pinned: a reload completes and the old image goes.
  install_crasher(fixtures::crasher_v2);
  hotmod::ReloadStats stats = rt.reload("crasher");
  ASSERT_TRUE(stats.success) << stats.error;
  EXPECT_EQ(call_int(m, "version"), 2);
  rt.wait_for_unloads();
  // And it is contained the next time too.
  EXPECT_EQ(crash_call(m, way.how, &error), -1);
  EXPECT_EQ(error.failure, hotmod::Failure::crashed) << error.message;
  EXPECT_NE(error.message.find("2.0.0"), std::string::npos) << error.message;
}

INSTANTIATE_TEST_SUITE_P(Crashes, EveryWay, ::testing::ValuesIn(kWays),
                         [](const ::testing::TestParamInfo<Way>& p) {
                           return std::string(p.param.name);
                         });

TEST_F(CrashTest, ARefCallThatCrashesThrowsModuleCrashedToTheHost) {
  install_crasher(fixtures::crasher_v1);
  hotmod::Runtime rt(dev_options());
  auto ref = rt.ref<ICrasher>("crasher");
  ASSERT_TRUE(ref.ok()) << ref.error().message;
  hotmod::Ref<ICrasher> crasher = ref.value();
  EXPECT_EQ(crasher->calls(), 1);
  bool caught = false;
  try {
    crasher->crash(crasher_fixture::null_write);
  } catch (const hotmod::ModuleCrashed& crash) {
    caught = true;
    EXPECT_EQ(crash.error().failure, hotmod::Failure::crashed);
    EXPECT_NE(std::string(crash.what()).find("module 'crasher' version 1.0.0"), std::string::npos)
        << crash.what();
    EXPECT_NE(crash.error().diagnostics.find("crasher.cpp"), std::string::npos)
        << crash.error().diagnostics;
  }
  EXPECT_TRUE(caught);
  EXPECT_EQ(crasher->version(), 1);
  EXPECT_EQ(crasher->calls(), 3);
  install_crasher(fixtures::crasher_v2);
  hotmod::ReloadStats stats = rt.reload("crasher");
  ASSERT_TRUE(stats.success) << stats.error;
  EXPECT_EQ(crasher->version(), 2);
  EXPECT_THROW(crasher->crash(crasher_fixture::abort_now), hotmod::ModuleCrashed);
  EXPECT_EQ(crasher->calls(), 5);
}

TEST_F(CrashTest, ManyThreadsCrashingAtOnceAreEachContained) {
  install_crasher(fixtures::crasher_v1);
  hotmod::Runtime rt(dev_options());
  hotmod::Module m = load(rt, "crasher");
  hotmod::Ref<ICrasher> crasher = rt.ref<ICrasher>("crasher").value();
  constexpr int kCrashThreads = 8;
  constexpr int kCrashRounds = 8;
  const int ways[] = {crasher_fixture::null_write, crasher_fixture::abort_now,
                      crasher_fixture::divide_by_zero, crasher_fixture::call_null};
  std::atomic<int> contained{0};
  std::atomic<int> answered{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kCrashThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCrashRounds; ++i) {
        const int how = ways[(t + i) % 4];
        if (t % 2 == 0) {
          hotmod::Error error;
          if (crash_call(m, how, &error) == -1 && error.failure == hotmod::Failure::crashed)
            ++contained;
        } else {
          try {
            crasher->crash(how);
          } catch (const hotmod::ModuleCrashed&) {
            ++contained;
          }
        }
        if (crasher->version() == 1) ++answered;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(contained.load(), kCrashThreads * kCrashRounds);
  EXPECT_EQ(answered.load(), kCrashThreads * kCrashRounds);
  // Every crash() counted its call before it crashed, plus this call.
  EXPECT_EQ(call_int(m, "calls"), kCrashThreads * kCrashRounds + 1);
  install_crasher(fixtures::crasher_v2);
  hotmod::ReloadStats stats = rt.reload("crasher");
  ASSERT_TRUE(stats.success) << stats.error;
  EXPECT_EQ(crasher->version(), 2);
}

// A new version that crashes while it starts is refused like one that
// throws: the old version keeps serving, with its state.
struct Starting {
  const char* name;
  const char* fixture;
  hotmod::Stage stage;
};

void PrintTo(const Starting& s, std::ostream* os) {
  *os << s.name;
}

class CrashWhileStarting : public CrashTest, public ::testing::WithParamInterface<Starting> {};

TEST_P(CrashWhileStarting, LeavesTheRunningVersionServing) {
  const Starting& s = GetParam();
  install_crasher(fixtures::crasher_v1);
  hotmod::Runtime rt(dev_options());
  hotmod::Module m = load(rt, "crasher");
  EXPECT_EQ(call_int(m, "calls"), 1);
  EventLog events(rt.bus());
  install_crasher(s.fixture);
  hotmod::ReloadStats stats = rt.reload("crasher");
  EXPECT_FALSE(stats.success);
  EXPECT_EQ(stats.failure, hotmod::Failure::crashed) << stats.error;
  EXPECT_EQ(stats.stage, s.stage) << hotmod::to_string(stats.stage);
  EXPECT_NE(stats.error.find("module 'crasher'"), std::string::npos) << stats.error;
  EXPECT_NE(stats.error.find("SIG"), std::string::npos) << stats.error;
  EXPECT_EQ(events.count("module.reload_failed"), 1u);
  EXPECT_EQ(call_int(m, "version"), 1);
  EXPECT_EQ(call_int(m, "calls"), 2);
  // Its subscriptions are the old version's, and they answer.
  rt.bus().publish("test.count", hotmod::Value::object());
  EXPECT_EQ(call_int(m, "calls"), 4);
  // A good version still goes in.
  install_crasher(fixtures::crasher_v2);
  hotmod::ReloadStats good = rt.reload("crasher");
  ASSERT_TRUE(good.success) << good.error;
  EXPECT_EQ(call_int(m, "version"), 2);
}

INSTANTIATE_TEST_SUITE_P(
    Crashes, CrashWhileStarting,
    ::testing::Values(Starting{"StaticConstructor", fixtures::crasher_constructor,
                               hotmod::Stage::load},
                      Starting{"SelfTest", fixtures::crasher_self_test, hotmod::Stage::validate},
                      Starting{"OnLoad", fixtures::crasher_on_load, hotmod::Stage::initialize}),
    [](const ::testing::TestParamInfo<Starting>& p) { return std::string(p.param.name); });

// A hook that never returns is stopped at its deadline (limits.hook_s), the
// way a crash is contained: the reload fails with Failure::timed_out and the
// running version keeps serving.
// Not under ThreadSanitizer, which cannot follow it: it holds a signal to a
// spinning thread back until the thread next calls into the C library, and
// a signal that stops a thread inside a blocking call (the waiting hook's
// nanosleep) leaves TSan's own bookkeeping inside the abandoned interceptor,
// after which it no longer sees that thread's locks.
#if !defined(__SANITIZE_THREAD__)
class StuckHook : public CrashTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(StuckHook, IsStoppedAtItsDeadlineAndTheOldVersionKeepsServing) {
  install_crasher(fixtures::crasher_v1);
  hotmod::RuntimeOptions o = dev_options();
  o.limits.hook = std::chrono::seconds(1);
  hotmod::Runtime rt(o);
  hotmod::Module m = load(rt, "crasher");
  EXPECT_EQ(call_int(m, "calls"), 1);
  install_crasher(GetParam());
  const auto start = std::chrono::steady_clock::now();
  hotmod::ReloadStats stats = rt.reload("crasher");
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_FALSE(stats.success);
  EXPECT_EQ(stats.failure, hotmod::Failure::timed_out) << stats.error;
  EXPECT_EQ(stats.stage, hotmod::Stage::initialize);
  for (const char* part :
       {"on_load of module 'crasher'", "limit of 1 s", "limits.hook_s", "keeps running"})
    EXPECT_NE(stats.error.find(part), std::string::npos) << part << " in: " << stats.error;
  EXPECT_GE(took, std::chrono::seconds(1));
  EXPECT_EQ(call_int(m, "version"), 1);
  EXPECT_EQ(call_int(m, "calls"), 2);
  install_crasher(fixtures::crasher_v2);
  hotmod::ReloadStats good = rt.reload("crasher");
  ASSERT_TRUE(good.success) << good.error;
  EXPECT_EQ(call_int(m, "version"), 2);
}

// ThreadSanitizer holds an asynchronous signal back until the thread next
// calls into the C library, which a loop that calls nothing never does: a
// spinning hook is stopped in every build but that one.
INSTANTIATE_TEST_SUITE_P(Hooks, StuckHook,
                         ::testing::Values(fixtures::crasher_waits, fixtures::crasher_spins),
                         [](const ::testing::TestParamInfo<const char*>& p) {
                           return std::string(p.index == 0 ? "Waiting" : "Spinning");
                         });
#endif

TEST_F(CrashTest, AFirstLoadThatCrashesIsAnErrorAndTheHostGoesOn) {
  install_crasher(fixtures::crasher_constructor);
  hotmod::Runtime rt(dev_options());
  auto m = rt.module("crasher");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().failure, hotmod::Failure::crashed) << m.error().message;
  EXPECT_NE(m.error().message.find("static constructors"), std::string::npos) << m.error().message;
  install_crasher(fixtures::crasher_v1);
  hotmod::ReloadStats stats = rt.reload("crasher");
  ASSERT_TRUE(stats.success) << stats.error;
  EXPECT_EQ(call_int(load(rt, "crasher"), "version"), 1);
}

TEST_F(CrashTest, ACrashInAnEventSubscriberIsReportedAndDeliveryGoesOn) {
  install_crasher(fixtures::crasher_v1);
  hotmod::Runtime rt(dev_options());
  hotmod::Module m = load(rt, "crasher");
  rt.bus().publish("test.crash", hotmod::Value::object());
  EXPECT_TRUE(logs_->contains(hotmod::LogLevel::warn, {"test.crash", "crasher", "SIGSEGV"}))
      << logs_->dump();
  rt.bus().publish("test.count", hotmod::Value::object());
  EXPECT_EQ(call_int(m, "calls"), 2);
  install_crasher(fixtures::crasher_v2);
  ASSERT_TRUE(rt.reload("crasher").success);
}

TEST_F(CrashTest, ProductionModeContainsOnlyWhenAskedTo) {
  install_crasher(fixtures::crasher_v1);
  hotmod::RuntimeOptions o = options();
  o.contain_crashes = hotmod::RuntimeOptions::Containment::always;
  hotmod::Runtime rt(o);
  hotmod::Module m = load(rt, "crasher");
  hotmod::Error error;
  EXPECT_EQ(crash_call(m, crasher_fixture::null_write, &error), -1);
  EXPECT_EQ(error.failure, hotmod::Failure::crashed) << error.message;
  EXPECT_EQ(call_int(m, "version"), 1);
}

TEST_F(CrashTest, WithoutContainmentACrashKillsTheProcess) {
  install_crasher(fixtures::crasher_v1);
  hotmod::RuntimeOptions o = dev_options();
  o.contain_crashes = hotmod::RuntimeOptions::Containment::off;
  EXPECT_DEATH(call_crasher(o, "crash", hotmod::Value::array({crasher_fixture::null_write})),
               "Stack trace|Sanitizer");  // the handler that was there before reports it
}

TEST_F(CrashTest, ProductionModeDoesNotContainByDefault) {
  install_crasher(fixtures::crasher_v1);
  EXPECT_DEATH(
      call_crasher(options(), "crash", hotmod::Value::array({crasher_fixture::null_write})), "");
}

TEST_F(CrashTest, ACrashInHostCodeIsNotSwallowed) {
  install_crasher(fixtures::crasher_v1);
  EXPECT_DEATH(
      {
        hotmod::Runtime rt(dev_options());
        hotmod::Module m = load(rt, "crasher");
        hotmod::Ref<ICrasher> crasher = rt.ref<ICrasher>("crasher").value();
        auto pinned = crasher.pin();  // even with a call into the module in flight
        volatile int* volatile host_null = nullptr;
        *host_null = pinned->version();
      },
      // The stack-trace printer dev mode installed, or a sanitizer's report
      // (UBSan's "runtime error" sees the null store first).
      "Stack trace|Sanitizer|runtime error");
}

// The allocator's own abort (heap corruption found inside free or malloc)
// is passed on: its locks may be held, and containing it could leave the
// process waiting on them for ever. The process dies, as without hotmod.
// ThreadSanitizer replaces glibc's allocator, whose abort is the case here,
// and does not check for a double free: the case does not exist there.
#if !defined(__SANITIZE_THREAD__)
TEST_F(CrashTest, AnAbortInsideTheAllocatorIsNotContained) {
  install_crasher(fixtures::crasher_v1);
  EXPECT_DEATH(call_crasher(dev_options(), "free_twice"), "double free|Sanitizer");
}
#endif

TEST_F(CrashTest, ACrashOnAThreadTheModuleStartedNamesTheModuleBeforeTheProcessDies) {
  install_crasher(fixtures::crasher_v1);
  EXPECT_DEATH(call_crasher(dev_options(), "crash_on_own_thread"),
               "module 'crasher' version 1.0.0 .*cannot be contained");
}

}  // namespace
}  // namespace hotmod_test
