// After a contained crash: the running version that crashed goes back to
// the version it replaced (module.crashed, then the usual reload events),
// and the file it came from is quarantined — refused by this runtime, by the
// next process that shares the state folder, in production too, until the
// file changes. A broken build cannot crash-loop a host.
#include <string>
#include <vector>

#include "crash_support.hpp"
#include "text/read_file.hpp"

namespace hotmod_test {
namespace {

using crasher_fixture::ICrasher;

class CrashRollback : public CrashTest {
 protected:
  // The quarantine file's entries (empty when it is missing or unreadable).
  std::vector<hotmod::Value> quarantined() const {
    std::optional<std::string> text = hotmod::text::read_whole_file(state() / "quarantine.json");
    if (!text) return {};
    hotmod::Value doc = hotmod::Value::parse(*text, nullptr, false);
    if (!doc.is_object() || !doc.contains("quarantined")) return {};
    return doc["quarantined"].get<std::vector<hotmod::Value>>();
  }

  // The refusal of a quarantined file names it, the crash and the way out.
  void expect_refusal(const hotmod::Error& e, const char* version, const char* signal) const {
    EXPECT_EQ(e.failure, hotmod::Failure::quarantined) << e.message;
    for (const std::string& part :
         {std::string("module 'crasher' is quarantined"), std::string(version), std::string(signal),
          std::string("loads again once it changes"), (state() / "quarantine.json").string()})
      EXPECT_NE(e.message.find(part), std::string::npos) << part << " in: " << e.message;
  }
};

TEST_F(CrashRollback, ACrashedVersionGoesBackToTheOneItReplaced) {
  install_crasher(fixtures::crasher_v1);
  {
    hotmod::Runtime rt(dev_options());
    EventLog events(rt.bus());
    auto ref = rt.ref<ICrasher>("crasher");
    ASSERT_TRUE(ref.ok()) << ref.error().message;
    hotmod::Ref<ICrasher> crasher = ref.value();
    EXPECT_EQ(crasher->calls(), 1);
    install_crasher(fixtures::crasher_v2);
    ASSERT_TRUE(rt.reload("crasher").success);
    ASSERT_EQ(crasher->version(), 2);
    events.clear();

    EXPECT_THROW(crasher->crash(crasher_fixture::null_write), hotmod::ModuleCrashed);
    ASSERT_TRUE(wait_until([&] { return events.count("module.reloaded") == 1; })) << logs_->dump();
    EXPECT_EQ(crasher->version(), 1);
    EXPECT_EQ(crasher->calls(), 3) << "the state went back with it";

    // module.crashed first, then the rollback's own reload.
    std::vector<std::string> topics;
    for (const EventLog::Event& e : events.events())
      if (e.topic != "module.unloaded") topics.push_back(e.topic);
    EXPECT_EQ(topics, (std::vector<std::string>{"module.crashed", "module.reloaded"}));
    const hotmod::Value crashed = events.payloads("module.crashed").at(0);
    EXPECT_EQ(crashed["name"], "crasher");
    EXPECT_EQ(crashed["version"], "2.0.0");
    EXPECT_EQ(crashed["rolled_back_to"], "1.0.0");
    EXPECT_NE(crashed["error"].get<std::string>().find("SIGSEGV"), std::string::npos) << crashed;
    EXPECT_TRUE(
        logs_->contains(hotmod::LogLevel::error,
                        {"crasher", "2.0.0", "rolling back to version 1.0.0", "quarantined"}))
        << logs_->dump();

    const std::vector<hotmod::Value> q = quarantined();
    ASSERT_EQ(q.size(), 1u);
    EXPECT_EQ(q[0]["module"], "crasher");
    EXPECT_EQ(q[0]["version"], "2.0.0");
    EXPECT_EQ(q[0]["hash"], crashed["quarantined"]);

    // The file that crashed is refused, even copied afresh.
    install_crasher(fixtures::crasher_v2);
    hotmod::ReloadStats again = rt.reload("crasher");
    EXPECT_FALSE(again.success);
    EXPECT_EQ(again.failure, hotmod::Failure::quarantined) << again.error;
    EXPECT_NE(again.error.find("SIGSEGV"), std::string::npos) << again.error;
    EXPECT_EQ(crasher->version(), 1);
  }
  // The kept copy goes with the runtime.
  EXPECT_EQ(files_under(versions()), std::vector<fs::path>{});
}

TEST_F(CrashRollback, ACrashThroughModuleCallRollsBackToo) {
  install_crasher(fixtures::crasher_v1);
  hotmod::Runtime rt(dev_options());
  EventLog events(rt.bus());
  hotmod::Module m = load(rt, "crasher");
  install_crasher(fixtures::crasher_v2);
  ASSERT_TRUE(rt.reload("crasher").success);
  hotmod::Error error;
  EXPECT_EQ(crash_call(m, crasher_fixture::divide_by_zero, &error), -1);
  EXPECT_EQ(error.failure, hotmod::Failure::crashed) << error.message;
  ASSERT_TRUE(wait_until([&] { return call_int(m, "version") == 1; })) << logs_->dump();
  EXPECT_EQ(events.count("module.crashed"), 1u);
}

TEST_F(CrashRollback, UnderSafePointTheRollbackGoesInAtOnce) {
  install_crasher(fixtures::crasher_v1);
  hotmod::RuntimeOptions o = dev_options();
  o.commit = hotmod::CommitPolicy::safe_point;
  hotmod::Runtime rt(o);
  hotmod::Module m = load(rt, "crasher");
  install_crasher(fixtures::crasher_v2);
  ASSERT_TRUE(rt.reload("crasher").pending);
  rt.apply_pending();
  ASSERT_EQ(call_int(m, "version"), 2);
  hotmod::Error error;
  EXPECT_EQ(crash_call(m, crasher_fixture::null_write, &error), -1);
  // No apply_pending(): the crashed version does not wait for one.
  ASSERT_TRUE(wait_until([&] { return call_int(m, "version") == 1; })) << logs_->dump();
}

TEST_F(CrashRollback, AQuarantinedFileIsRefusedAfterARestartUntilItChanges) {
  install_crasher(fixtures::crasher_v1);
  {
    hotmod::Runtime rt(dev_options());
    EventLog events(rt.bus());
    hotmod::Module m = load(rt, "crasher");
    hotmod::Error error;
    EXPECT_EQ(crash_call(m, crasher_fixture::abort_now, &error), -1);
    ASSERT_TRUE(wait_until([&] { return events.count("module.crashed") == 1; }));
    // Nothing to go back to: the first version keeps running.
    EXPECT_TRUE(events.payloads("module.crashed").at(0)["rolled_back_to"].is_null());
    EXPECT_EQ(call_int(m, "version"), 1);
    EXPECT_TRUE(
        logs_->contains(hotmod::LogLevel::error, {"crasher", "keeps running", "quarantined"}))
        << logs_->dump();
  }
  {  // A restart.
    hotmod::Runtime rt(dev_options());
    auto m = rt.module("crasher");
    ASSERT_FALSE(m.ok());
    expect_refusal(m.error(), "1.0.0", "SIGABRT");
  }
  {  // In production too: what a service manager's restarts would meet.
    hotmod::Runtime rt(options());
    auto m = rt.module("crasher");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().failure, hotmod::Failure::quarantined) << m.error().message;
  }
  // Another build loads.
  install_crasher(fixtures::crasher_v2);
  hotmod::Runtime rt(dev_options());
  EXPECT_EQ(call_int(load(rt, "crasher"), "version"), 2);
}

TEST_F(CrashRollback, ANewVersionThatCrashedWhileStartingIsNotTriedAgain) {
  install_crasher(fixtures::crasher_v1);
  hotmod::Runtime rt(dev_options());
  EventLog events(rt.bus());
  hotmod::Module m = load(rt, "crasher");
  install_crasher(fixtures::crasher_on_load);
  hotmod::ReloadStats stats = rt.reload("crasher");
  EXPECT_EQ(stats.failure, hotmod::Failure::crashed) << stats.error;
  ASSERT_TRUE(wait_until([&] { return events.count("module.crashed") == 1; }));
  stats = rt.reload("crasher");
  EXPECT_EQ(stats.failure, hotmod::Failure::quarantined) << stats.error;
  EXPECT_EQ(call_int(m, "version"), 1);
  EXPECT_EQ(quarantined().size(), 1u);
}

TEST_F(CrashRollback, ManyCrashesOfOneVersionQuarantineItOnce) {
  install_crasher(fixtures::crasher_v1);
  hotmod::Runtime rt(dev_options());
  EventLog events(rt.bus());
  hotmod::Module m = load(rt, "crasher");
  hotmod::Error error;
  for (int i = 0; i < 5; ++i) EXPECT_EQ(crash_call(m, crasher_fixture::trap, &error), -1);
  ASSERT_TRUE(wait_until([&] { return events.count("module.crashed") == 5; }));
  EXPECT_EQ(quarantined().size(), 1u);
  EXPECT_EQ(call_int(m, "version"), 1);
}

}  // namespace
}  // namespace hotmod_test
