// Persistent state across reloads: kept, migrated by a hook, or reset with a
// warning; and typed refs and dynamic handles that follow the new version.
#include "support.hpp"

namespace hotmod_test {
namespace {

using counter_fixture::ICounter;
using counter_fixture::StateV3;

class StateTest : public RuntimeTest {};

TEST_F(StateTest, StateIsKeptAcrossReloads) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(options());
  hotmod::Module m = load(rt);
  for (int i = 1; i <= 3; ++i) EXPECT_EQ(call_int(m, "increment"), i);
  EXPECT_EQ(m.call_as<bool>("restored").value(), false);

  install(fixtures::counter_v2);
  hotmod::ReloadStats stats = rt.reload("counter");
  ASSERT_TRUE(stats.success) << stats.error;
  EXPECT_EQ(call_int(m, "version"), 2);
  EXPECT_EQ(call_int(m, "value"), 3);
  EXPECT_EQ(call_int(m, "loads"), 2);
  EXPECT_EQ(call_int(m, "unloads"), 1);
  EXPECT_EQ(call_int(m, "seen_reload_count"), 1);
  EXPECT_EQ(m.call_as<bool>("restored").value(), true);
  EXPECT_EQ(call_int(m, "increment"), 4);

  install(fixtures::counter_v1);  // and back
  ASSERT_TRUE(rt.reload("counter").success);
  EXPECT_EQ(call_int(m, "version"), 1);
  EXPECT_EQ(call_int(m, "value"), 4);
  EXPECT_EQ(call_int(m, "seen_reload_count"), 2);
}

TEST_F(StateTest, TypedRefReachesTheNewVersion) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(options());
  auto ref = rt.ref<ICounter>("counter");
  ASSERT_TRUE(ref.ok()) << ref.error().message;
  hotmod::Ref<ICounter> counter = ref.value();
  EXPECT_EQ(counter.module(), "counter");
  EXPECT_EQ(counter->version(), 1);
  EXPECT_EQ(counter->increment(), 1);
  EXPECT_EQ(counter->increment(), 2);

  install(fixtures::counter_v2);
  ASSERT_TRUE(rt.reload("counter").success);
  EXPECT_EQ(counter->version(), 2);
  EXPECT_EQ(counter->value(), 2);
  EXPECT_EQ(counter->increment(), 3);
  {
    auto pinned = counter.pin();  // a raw pointer is valid inside a pin
    ICounter* raw = pinned.get();
    EXPECT_EQ(raw->version(), 2);
  }

  // A second ref to the same interface sees the same object's state.
  auto again = rt.ref<ICounter>("counter");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value()->value(), 3);
}

TEST_F(StateTest, RefToAnInterfaceTheModuleLacksIsAnError) {
  install(fixtures::counter_no_interface);
  hotmod::Runtime rt(options());
  auto ref = rt.ref<ICounter>("counter");
  ASSERT_FALSE(ref.ok());
  EXPECT_NE(ref.error().message.find("counter_fixture::ICounter"), std::string::npos)
      << ref.error().message;
}

TEST_F(StateTest, ChangedLayoutIsMigratedByTheHook) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(options());
  hotmod::Module m = load(rt);
  for (int i = 0; i < 3; ++i) (void)call_int(m, "increment");

  install(fixtures::counter_v3_migrate);
  hotmod::ReloadStats stats = rt.reload("counter");
  ASSERT_TRUE(stats.success) << stats.error;
  EXPECT_EQ(call_int(m, "version"), 3);
  EXPECT_EQ(call_int(m, "migrated"), 1);
  EXPECT_EQ(call_int(m, "value"), 3);
  EXPECT_EQ(call_int(m, "loads"), 2);
  EXPECT_EQ(m.call_as<bool>("restored").value(), true);
  auto info = rt.info("counter");
  EXPECT_EQ(info->state_type, "counter_fixture::StateV3");
  EXPECT_EQ(info->state_size, sizeof(StateV3));
}

TEST_F(StateTest, ChangedLayoutWithoutHookIsResetWithAWarning) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(options());
  hotmod::Module m = load(rt);
  for (int i = 0; i < 3; ++i) (void)call_int(m, "increment");

  install(fixtures::counter_v3_reset);
  hotmod::ReloadStats stats = rt.reload("counter");
  ASSERT_TRUE(stats.success) << stats.error;
  EXPECT_EQ(call_int(m, "version"), 3);
  EXPECT_EQ(call_int(m, "value"), 0);
  EXPECT_EQ(call_int(m, "migrated"), 0);
  EXPECT_EQ(call_int(m, "loads"), 1);
  EXPECT_EQ(m.call_as<bool>("restored").value(), false);
  EXPECT_TRUE(logs_->contains(hotmod::LogLevel::warn, {"counter", "state"})) << logs_->dump();
}

TEST_F(StateTest, MigrationThatThrowsRollsBack) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(options());
  hotmod::Module m = load(rt);
  for (int i = 0; i < 3; ++i) (void)call_int(m, "increment");

  install(fixtures::counter_v3_migrate_throws);
  hotmod::ReloadStats stats = rt.reload("counter");
  EXPECT_FALSE(stats.success);
  EXPECT_EQ(stats.stage, hotmod::Stage::state);
  EXPECT_EQ(stats.failure, hotmod::Failure::migration_failed);
  EXPECT_NE(stats.error.find("counter"), std::string::npos) << stats.error;
  EXPECT_NE((stats.error + stats.diagnostics).find("cannot migrate"), std::string::npos)
      << stats.error << "\n"
      << stats.diagnostics;
  EXPECT_EQ(call_int(m, "version"), 1);
  EXPECT_EQ(call_int(m, "value"), 3);
  EXPECT_EQ(rt.info("counter")->state_type, "counter_fixture::State");
}

}  // namespace
}  // namespace hotmod_test
