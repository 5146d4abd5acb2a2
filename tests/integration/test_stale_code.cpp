// Stale code is named: once a replaced version's last call has returned its
// code stays mapped but inaccessible for a while (limits.retired_code_s), so
// a call through a pointer kept from it — here a function pointer the module
// left in its state, or one the host kept — fails naming the version, how
// long ago it was retired and the version now current, instead of running
// stale code. At the reload, the pointer left in state is warned about.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "crash_support.hpp"
#include "process/run.hpp"

namespace hotmod_test {
namespace {

class StaleCode : public CrashTest {
 protected:
  // Loads crasher 1.0.0, lets `before` run on it, replaces it with 2.0.0 and
  // waits until 1.0.0 is unloaded (its code guarded, when `kept`).
  void replace_v1(hotmod::Runtime& rt, EventLog& events, const hotmod::Module& m) const {
    install_crasher(fixtures::crasher_v2);
    hotmod::ReloadStats s = rt.reload("crasher");
    ASSERT_TRUE(s.success) << s.error;
    ASSERT_TRUE(wait_until([&] { return events.count("module.unloaded") == 1; })) << logs_->dump();
    ASSERT_EQ(call_int(m, "version"), 2);
  }

  using Fn = int (*)();
  // Keeps 1.0.0's version(), as a host keeps a callback a module gave it,
  // then replaces 1.0.0.
  Fn keep_then_replace_v1(hotmod::Runtime& rt, EventLog& events, const hotmod::Module& m) const {
    const auto address = m.call("own_function_address").value().get<std::int64_t>();
    replace_v1(rt, events, m);
    return reinterpret_cast<Fn>(static_cast<std::uintptr_t>(address));
  }
  // Calls `fn` from the host; `said` gets what was written to stderr.
  static int call_from_host(Fn fn, std::string* said) {
    testing::internal::CaptureStderr();
    const int answer = fn();
    *said = testing::internal::GetCapturedStderr();
    return answer;
  }
};

TEST_F(StaleCode, APointerLeftInStateFailsNamingTheRetiredVersion) {
  install_crasher(fixtures::crasher_v1);
  hotmod::Runtime rt(dev_options());
  EventLog events(rt.bus());
  hotmod::Module m = load(rt, "crasher");
  ASSERT_EQ(call_int(m, "keep_own_function"), 0);
  ASSERT_EQ(call_int(m, "call_kept"), 1) << "the pointer works while its version runs";
  replace_v1(rt, events, m);

  // Warned at the reload, naming the field's offset.
  EXPECT_TRUE(logs_->contains(hotmod::LogLevel::warn,
                              {"module 'crasher'", "State", "what looks like a pointer",
                               "replaced version 1.0.0", "byte offset 8", "on_load"}))
      << logs_->dump();
  const hotmod::Value unloaded = events.payloads("module.unloaded").at(0);
  EXPECT_EQ(unloaded["version"], "1.0.0");
  EXPECT_EQ(unloaded["code_kept"], true) << unloaded;

  for (int attempt = 0; attempt < 2; ++attempt) {
    hotmod::Result<hotmod::Value> r = m.call("call_kept");
    ASSERT_FALSE(r.ok()) << "stale code ran";
    EXPECT_EQ(r.error().failure, hotmod::Failure::stale_call) << r.error().message;
    for (const char* part :
         {"call into retired version 1.0.0 (load ", ") of module 'crasher' (",
          "version()), retired ", " s ago; version 2.0.0 (load ", ") is current", "kept from it"})
      EXPECT_NE(r.error().message.find(part), std::string::npos)
          << part << " in: " << r.error().message;
    EXPECT_NE(r.error().diagnostics.find("crashed at:"), std::string::npos)
        << r.error().diagnostics;
  }
  // The host and the current version go on; a stale call is the caller's
  // mistake: nothing is rolled back or quarantined.
  EXPECT_EQ(call_int(m, "version"), 2);
  EXPECT_EQ(call_int(m, "keep_own_function"), 0);
  EXPECT_EQ(call_int(m, "call_kept"), 2) << "set again by the current version";
  EXPECT_EQ(events.count("module.crashed"), 0u);
  EXPECT_EQ(events.count("module.reloaded"), 1u);
  EXPECT_FALSE(fs::exists(state() / "quarantine.json"));
}

// Each linker lays an image out its own way (gold puts the headers, the
// code and the unwind tables in one segment): each one's retired code is
// guarded, and a stale call into it is still walked back to its caller.
class StaleCodeWithEveryLinker : public StaleCode,
                                 public ::testing::WithParamInterface<std::string> {
 protected:
  void link(const char* object) const {
    const std::string linker = GetParam();
    hotmod::process::Command command({fixtures::link_driver, "-shared", "-fuse-ld=" + linker, "-o",
                                      (modules() / "crasher.so").string(), object});
    const hotmod::process::Outcome linked = hotmod::process::run(command);
    ASSERT_TRUE(linked.ok()) << linker << " (installed by scripts/setup): " << linked.describe()
                             << "\n"
                             << linked.output;
  }
};

TEST_P(StaleCodeWithEveryLinker, IsGuardedAndNamed) {
  fs::create_directories(modules());
  ASSERT_NO_FATAL_FAILURE(link(fixtures::crasher_v1_object));
  hotmod::Runtime rt(dev_options());
  EventLog events(rt.bus());
  hotmod::Module m = load(rt, "crasher");
  ASSERT_EQ(call_int(m, "keep_own_function"), 0);
  ASSERT_NO_FATAL_FAILURE(link(fixtures::crasher_v2_object));
  ASSERT_TRUE(rt.reload("crasher").success);
  ASSERT_TRUE(wait_until([&] { return events.count("module.unloaded") == 1; }));
  EXPECT_EQ(events.payloads("module.unloaded").at(0)["code_kept"], true);
  hotmod::Result<hotmod::Value> r = m.call("call_kept");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().failure, hotmod::Failure::stale_call) << r.error().message;
  EXPECT_NE(r.error().message.find("call into retired version 1.0.0"), std::string::npos)
      << r.error().message;
  EXPECT_EQ(call_int(m, "version"), 2);
  rt.wait_for_unloads();  // the guarded image is given its pages back and closed
  EXPECT_EQ(mapped_under(versions()).size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Linkers, StaleCodeWithEveryLinker,
                         ::testing::Values("bfd", "gold", "lld", "mold"),
                         [](const auto& linker) { return linker.param; });

TEST_F(StaleCode, APointerTheHostCallsItselfIsNamedAndGoesOnAsBefore) {
  // No call into a module is under way when the host calls it itself, so
  // nothing can fail: the report says whose code it is, and the code is
  // made runnable again — as a module's own thread still running in it
  // needs — rather than the process dying.
  install_crasher(fixtures::crasher_v1);
  hotmod::Runtime rt(dev_options());
  EventLog events(rt.bus());
  hotmod::Module m = load(rt, "crasher");
  const Fn kept = keep_then_replace_v1(rt, events, m);
  std::string said;
  EXPECT_EQ(call_from_host(kept, &said), 1)
      << "the retired version's code ran, as before it was guarded";
  for (const char* part :
       {"hotmod: call into retired version 1.0.0 (load ", ") of module 'crasher', retired ",
        " s ago; version 2.0.0 (load ", ") is current", "made runnable again"})
    EXPECT_NE(said.find(part), std::string::npos) << part << " in: " << said;
  EXPECT_EQ(kept(), 1);
  EXPECT_EQ(call_int(m, "version"), 2);
  // Its code ran outside any call, so something may still run it: once its
  // time is up (here: now) it stays open rather than being closed.
  rt.wait_for_unloads();
  EXPECT_TRUE(
      logs_->contains(hotmod::LogLevel::warn, {"module 'crasher' (version 1.0.0) stayed in memory",
                                               "ran again after it was replaced", "stays open"}))
      << logs_->dump();
  EXPECT_EQ(kept(), 1) << "still mapped";
}

TEST_F(StaleCode, MakingOneRetiredImageRunnableLeavesTheOthersGuarded) {
  install_crasher(fixtures::crasher_v1);
  hotmod::Runtime rt(dev_options());
  EventLog events(rt.bus());
  hotmod::Module m = load(rt, "crasher");
  const Fn kept_v1 = keep_then_replace_v1(rt, events, m);
  ASSERT_EQ(call_int(m, "keep_own_function"), 0);  // 2.0.0's, in the state
  install_crasher(fixtures::crasher_v1);
  ASSERT_TRUE(rt.reload("crasher").success);
  ASSERT_TRUE(wait_until([&] { return events.count("module.unloaded") == 2; }));

  std::string said;
  EXPECT_EQ(call_from_host(kept_v1, &said), 1);  // load 1's code runs again
  hotmod::Result<hotmod::Value> r = m.call("call_kept");
  ASSERT_FALSE(r.ok()) << "2.0.0's code ran: it was made runnable along with load 1's";
  EXPECT_EQ(r.error().failure, hotmod::Failure::stale_call) << r.error().message;
  EXPECT_NE(r.error().message.find("call into retired version 2.0.0"), std::string::npos)
      << r.error().message;
}

TEST_F(StaleCode, AThreadTheModuleStartedGoesOnInItsRetiredCode) {
  int release[2];
  int started[2];
  ASSERT_EQ(::pipe(release), 0);
  ASSERT_EQ(::pipe(started), 0);
  install_crasher(fixtures::crasher_v1);
  hotmod::Runtime rt(dev_options());
  EventLog events(rt.bus());
  hotmod::Module m = load(rt, "crasher");
  ASSERT_TRUE(m.call("start_own_thread", release[0], started[1]).ok());
  char byte = 0;
  ASSERT_EQ(::read(started[0], &byte, 1), 1);
  ASSERT_EQ(byte, 's');
  pid_t tid = 0;
  ASSERT_EQ(::read(started[0], &tid, sizeof tid), static_cast<ssize_t>(sizeof tid));
  replace_v1(rt, events, m);  // its code is guarded while the thread waits in read()

  testing::internal::CaptureStderr();
  byte = 'r';
  ASSERT_EQ(::write(release[1], &byte, 1), 1);
  ASSERT_EQ(::read(started[0], &byte, 1), 1) << "the thread went on in the retired code";
  const std::string said = testing::internal::GetCapturedStderr();
  EXPECT_EQ(byte, 'd');
  EXPECT_NE(said.find("or a thread it started, still runs its code"), std::string::npos) << said;
  EXPECT_EQ(call_int(m, "version"), 2);
  // The thread returns through the module's code (its lambda, std::thread's
  // state): the image must stay open until it has exited.
  const std::string task = "/proc/self/task/" + std::to_string(tid);
  EXPECT_TRUE(wait_until([&] { return ::access(task.c_str(), F_OK) != 0; }))
      << "the module's thread never exited";
  for (int fd : {release[0], release[1], started[0], started[1]}) ::close(fd);
}

TEST_F(StaleCode, TurningContainmentOffLeavesNoGuardedCodeToDieOn) {
  install_crasher(fixtures::crasher_v1);
  hotmod::Runtime rt(dev_options());
  EventLog events(rt.bus());
  hotmod::Module m = load(rt, "crasher");
  const Fn kept = keep_then_replace_v1(rt, events, m);
  rt.set_dev_mode(false);  // production: crashes are no longer contained
  std::string said;
  EXPECT_EQ(call_from_host(kept, &said), 1);
  EXPECT_NE(said.find("call into retired version 1.0.0"), std::string::npos) << said;
}

TEST_F(StaleCode, ExitWithRetiredCodeKeptRunsItsStaticDestructors) {
  // exit() with the runtime still alive runs the retired image's static
  // destructors and finalizers from its code: made runnable first, so
  // nothing faults and nothing is reported.
  install_crasher(fixtures::crasher_v1);
  EXPECT_EXIT(
      {
        auto* rt = new hotmod::Runtime(dev_options());  // never destroyed: exit() finds it alive
        EventLog events(rt->bus());
        hotmod::Module m = load(*rt, "crasher");
        replace_v1(*rt, events, m);
        std::exit(7);
      },
      testing::ExitedWithCode(7), "^$");
}

TEST_F(StaleCode, RetiredCodeIsClosedOnceItsTimeIsUp) {
  install_crasher(fixtures::crasher_v1);
  hotmod::RuntimeOptions o = dev_options();
  o.limits.retired_code = std::chrono::seconds(1);
  hotmod::Runtime rt(o);
  EventLog events(rt.bus());
  hotmod::Module m = load(rt, "crasher");
  const fs::path old_copy = mapped_under(versions()).at(0);
  replace_v1(rt, events, m);
  EXPECT_EQ(events.payloads("module.unloaded").at(0)["code_kept"], true);
  EXPECT_TRUE(wait_until([&] { return !is_mapped(old_copy); })) << old_copy;
  EXPECT_TRUE(fs::exists(old_copy)) << "its copy stays: 2.0.0 rolls back to it if it crashes";
  EXPECT_EQ(call_int(m, "version"), 2);
}

TEST_F(StaleCode, PastTheByteLimitTheOldestKeptCodeIsClosedFirst) {
  install_crasher(fixtures::crasher_v1);
  hotmod::RuntimeOptions o = dev_options();
  o.limits.retired_code_mb = 1;
  hotmod::Runtime rt(o);
  EventLog events(rt.bus());
  hotmod::Module m = load(rt, "crasher");
  const fs::path first_copy = mapped_under(versions()).at(0);
  // A crasher image maps about 45 KB: 100 of them are over four times the
  // limit, which keeps about 23.
  constexpr int kReloads = 100;
  for (int i = 0; i < kReloads; ++i) {
    install_crasher(i % 2 == 0 ? fixtures::crasher_v2 : fixtures::crasher_v1);
    hotmod::ReloadStats s = rt.reload("crasher");
    ASSERT_TRUE(s.success) << s.error;
  }
  ASSERT_TRUE(wait_until([&] { return events.count("module.unloaded") == kReloads; }));
  EXPECT_TRUE(wait_until([&] { return !is_mapped(first_copy); })) << "the oldest goes first";
  EXPECT_TRUE(wait_until([&] { return mapped_under(versions()).size() < kReloads / 2; }))
      << mapped_under(versions()).size() << " images mapped";
  rt.wait_for_unloads();
  EXPECT_EQ(mapped_under(versions()).size(), 1u) << "all kept code closed";
  EXPECT_EQ(files_under(versions()).size(), 2u) << "the current one and the one it replaced, "
                                                   "kept to roll back to";
}

TEST_F(StaleCode, WithoutContainmentTheImageIsClosedAtOnce) {
  install_crasher(fixtures::crasher_v1);
  hotmod::RuntimeOptions o = dev_options();
  o.contain_crashes = hotmod::RuntimeOptions::Containment::off;
  hotmod::Runtime rt(o);
  EventLog events(rt.bus());
  hotmod::Module m = load(rt, "crasher");
  const fs::path old_copy = mapped_under(versions()).at(0);
  replace_v1(rt, events, m);
  EXPECT_EQ(events.payloads("module.unloaded").at(0)["code_kept"], false);
  EXPECT_FALSE(is_mapped(old_copy)) << "nothing could name a stale call: nothing is kept";
}

}  // namespace
}  // namespace hotmod_test
