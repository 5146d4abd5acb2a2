// Commit policies: immediate (the default) and safe_point, where reload()
// only prepares the new version and apply_pending() makes it current.
#include "support.hpp"

namespace hotmod_test {
namespace {

using counter_fixture::ICounter;

class SafePointTest : public RuntimeTest {
 protected:
  hotmod::RuntimeOptions safe_point() const {
    hotmod::RuntimeOptions o = options();
    o.commit = hotmod::CommitPolicy::safe_point;
    return o;
  }
};

TEST_F(SafePointTest, ReloadWaitsForApplyPending) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(safe_point());
  EventLog events(rt.bus());
  hotmod::Module m = load(rt);  // a first load needs no safe point
  EXPECT_EQ(call_int(m, "version"), 1);
  auto ref = rt.ref<ICounter>("counter");
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(ref.value()->increment(), 1);
  EXPECT_TRUE(rt.apply_pending().empty());

  install(fixtures::counter_v2);
  hotmod::ReloadStats prepared = rt.reload("counter");
  EXPECT_TRUE(prepared.pending);
  EXPECT_TRUE(prepared.error.empty()) << prepared.error;
  EXPECT_EQ(prepared.failure, hotmod::Failure::none);

  // Until the host commits, the old version answers.
  EXPECT_EQ(call_int(m, "version"), 1);
  EXPECT_EQ(ref.value()->version(), 1);
  EXPECT_EQ(ref.value()->increment(), 2);
  EXPECT_EQ(rt.info("counter")->version, "1.0.0");
  EXPECT_EQ(events.count("module.reloaded"), 0u);
  EXPECT_EQ(events.count("test.on_unload"), 0u);

  std::vector<hotmod::ReloadStats> applied = rt.apply_pending();
  ASSERT_EQ(applied.size(), 1u);
  EXPECT_TRUE(applied[0].success) << applied[0].error;
  EXPECT_FALSE(applied[0].pending);
  EXPECT_EQ(applied[0].module, "counter");
  EXPECT_EQ(applied[0].version, "2.0.0");
  EXPECT_EQ(applied[0].reload_count, 1u);

  EXPECT_EQ(call_int(m, "version"), 2);
  EXPECT_EQ(ref.value()->version(), 2);
  EXPECT_EQ(call_int(m, "value"), 2) << "state committed at apply time, increments included";
  EXPECT_EQ(events.count("module.reloaded"), 1u);
  EXPECT_TRUE(rt.apply_pending().empty()) << "nothing left to commit";
}

TEST_F(SafePointTest, FailedPrepareLeavesNothingPending) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(safe_point());
  hotmod::Module m = load(rt);
  install(fixtures::not_so);
  hotmod::ReloadStats s = rt.reload("counter");
  EXPECT_FALSE(s.success);
  EXPECT_FALSE(s.pending);
  EXPECT_EQ(s.failure, hotmod::Failure::not_shared_object);
  EXPECT_TRUE(rt.apply_pending().empty());
  EXPECT_EQ(call_int(m, "version"), 1);
}

TEST_F(SafePointTest, FailureAtCommitRollsBack) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(safe_point());
  EventLog events(rt.bus());
  hotmod::Module m = load(rt);
  (void)call_int(m, "increment");
  install(fixtures::counter_onload_throws);
  hotmod::ReloadStats prepared = rt.reload("counter");
  EXPECT_TRUE(prepared.pending) << prepared.error;

  std::vector<hotmod::ReloadStats> applied = rt.apply_pending();
  ASSERT_EQ(applied.size(), 1u);
  EXPECT_FALSE(applied[0].success);
  EXPECT_EQ(applied[0].failure, hotmod::Failure::on_load_threw);
  EXPECT_EQ(events.count("module.reload_failed"), 1u);
  EXPECT_EQ(call_int(m, "version"), 1);
  EXPECT_EQ(call_int(m, "value"), 1);
}

TEST_F(SafePointTest, ImmediateIsTheDefault) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(options());
  hotmod::Module m = load(rt);
  install(fixtures::counter_v2);
  hotmod::ReloadStats s = rt.reload("counter");
  EXPECT_TRUE(s.success);
  EXPECT_FALSE(s.pending);
  EXPECT_EQ(call_int(m, "version"), 2);
  EXPECT_TRUE(rt.apply_pending().empty());
}

}  // namespace
}  // namespace hotmod_test
