// Hosts and modules calling back into the runtime from places where the
// runtime is itself busy: on_reload callbacks, event subscribers, the reaper's
// module.unloaded delivery, and Refs taken between reload() and
// apply_pending(). None of them may deadlock or leave a Ref dangling.
#include <atomic>
#include <future>

#include "support.hpp"

namespace hotmod_test {
namespace {

using counter_fixture::ICounter;

TEST_F(RuntimeTest, OnReloadCallbackMayQueryAndReloadOtherModules) {
  install(fixtures::counter_v1);
  install(fixtures::nested, "tools/math.so");
  hotmod::Runtime rt(options());
  hotmod::Module m = load(rt);
  std::atomic<int> inside{0};
  rt.on_reload([&](const hotmod::ReloadStats& s) {
    // The module's lock is released before callbacks run.
    auto info = rt.info(s.module);
    EXPECT_TRUE(info.has_value());
    EXPECT_FALSE(rt.modules().empty());
    if (s.module == "counter") {
      EXPECT_TRUE(rt.reload("tools.math").success);
    }
    inside.fetch_add(1);
  });
  install(fixtures::counter_v2);
  // Runs on another thread so a deadlock fails the test instead of hanging it.
  auto done = std::async(std::launch::async, [&] { return rt.reload("counter"); });
  ASSERT_EQ(done.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  EXPECT_TRUE(done.get().success);
  EXPECT_EQ(inside.load(), 2) << "counter's reload, then tools.math's load from inside it";
  EXPECT_EQ(call_int(m, "version"), 2);
}

TEST_F(RuntimeTest, SubscribersMayWaitForUnloads) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(options());
  hotmod::Module m = load(rt);
  std::atomic<int> reloaded{0}, unloaded{0};
  auto a = rt.bus().subscribe("module.reloaded", [&](std::string_view, const hotmod::Value&) {
    rt.wait_for_unloads();  // inside a delivery: returns instead of waiting for itself
    reloaded.fetch_add(1);
  });
  auto b = rt.bus().subscribe("module.unloaded", [&](std::string_view, const hotmod::Value&) {
    rt.wait_for_unloads();  // on the reaper's own thread
    unloaded.fetch_add(1);
  });
  install(fixtures::counter_v2);
  auto done = std::async(std::launch::async, [&] {
    bool ok = rt.reload("counter").success;
    rt.wait_for_unloads();
    return ok;
  });
  ASSERT_EQ(done.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  EXPECT_TRUE(done.get());
  EXPECT_EQ(reloaded.load(), 1);
  EXPECT_EQ(unloaded.load(), 1);
}

TEST_F(RuntimeTest, RefTakenWhileAVersionIsPendingIsHonouredAtCommit) {
  install(fixtures::counter_v1);
  hotmod::RuntimeOptions opts = options();
  opts.commit = hotmod::CommitPolicy::safe_point;
  hotmod::Runtime rt(opts);
  hotmod::Module m = load(rt);
  install(fixtures::counter_no_interface);
  hotmod::ReloadStats prepared = rt.reload("counter");
  ASSERT_TRUE(prepared.pending) << prepared.error;  // nobody held ICounter yet

  auto ref = rt.ref<ICounter>("counter");  // now the host does
  ASSERT_TRUE(ref.ok()) << ref.error().message;
  std::vector<hotmod::ReloadStats> applied = rt.apply_pending();
  ASSERT_EQ(applied.size(), 1u);
  EXPECT_FALSE(applied[0].success);
  EXPECT_EQ(applied[0].failure, hotmod::Failure::missing_interface);
  EXPECT_NE(applied[0].error.find("counter_fixture::ICounter"), std::string::npos);
  EXPECT_EQ(ref.value()->version(), 1) << "the Ref still reaches the running version";
  EXPECT_EQ(call_int(m, "version"), 1);
  rt.wait_for_unloads();
  EXPECT_EQ(files_under(versions()).size(), 1u) << "the refused version's copy is gone";
}

}  // namespace
}  // namespace hotmod_test
