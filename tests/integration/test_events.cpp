// Events the runtime publishes, the on_reload callback, and subscriptions a
// module version owns.
#include <algorithm>
#include <atomic>

#include "support.hpp"

namespace hotmod_test {
namespace {

class EventsTest : public RuntimeTest {};

// Publishes `ping`; the versions that answered on `pong`, in order.
std::vector<int> answers(hotmod::Runtime& rt, EventLog& events, const char* ping,
                         const char* pong) {
  events.clear();
  rt.bus().publish(ping, hotmod::Value::object());
  std::vector<int> versions;
  for (const auto& p : events.payloads(pong)) versions.push_back(p["version"].get<int>());
  return versions;
}

std::vector<std::string> topics(const EventLog& log) {
  std::vector<std::string> out;
  for (const auto& e : log.events())
    if (!e.topic.starts_with("log")) out.push_back(e.topic);
  return out;
}

std::size_t index_of(const std::vector<std::string>& v, std::string_view topic) {
  return static_cast<std::size_t>(std::find(v.begin(), v.end(), topic) - v.begin());
}

TEST_F(EventsTest, LoadedAndReloadedCarryTheirFields) {
  fs::path file = install(fixtures::counter_v1);
  hotmod::Runtime rt(options());
  EventLog events(rt.bus());
  hotmod::Module m = load(rt);

  auto loaded = events.payloads("module.loaded");
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_EQ(loaded[0].value("name", ""), "counter");
  EXPECT_EQ(loaded[0].value("version", ""), "1.0.0");
  EXPECT_EQ(loaded[0].value("kind", ""), "library");
  EXPECT_EQ(loaded[0].value("path", ""), file.string());
  ASSERT_TRUE(loaded[0].contains("duration_ms"));
  EXPECT_TRUE(loaded[0]["duration_ms"].is_number());
  EXPECT_GE(loaded[0]["duration_ms"].get<double>(), 0.0);

  events.clear();
  install(fixtures::counter_v2);
  ASSERT_TRUE(rt.reload("counter").success);
  auto reloaded = events.payloads("module.reloaded");
  ASSERT_EQ(reloaded.size(), 1u);
  EXPECT_EQ(reloaded[0].value("name", ""), "counter");
  EXPECT_EQ(reloaded[0].value("version", ""), "2.0.0");
  EXPECT_EQ(reloaded[0].value("kind", ""), "library");
  EXPECT_EQ(reloaded[0].value("reload_count", -1), 1);
  ASSERT_TRUE(reloaded[0].contains("duration_ms"));
  EXPECT_TRUE(reloaded[0]["duration_ms"].is_number());
  EXPECT_EQ(events.count("module.loaded"), 0u) << "a reload is not a first load";

  // on_unload(old) runs before on_load(new), and both before module.reloaded.
  auto order = topics(events);
  EXPECT_LT(index_of(order, "test.on_unload"), index_of(order, "test.on_load"));
  EXPECT_LT(index_of(order, "test.on_load"), index_of(order, "module.reloaded"));
  auto unload = events.payloads("test.on_unload");
  ASSERT_EQ(unload.size(), 1u);
  EXPECT_EQ(unload[0]["version"], 1);
}

TEST_F(EventsTest, UnloadedIsPublishedOnceTheOldImageIsGone) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(options());
  EventLog events(rt.bus());
  hotmod::Module m = load(rt);
  install(fixtures::counter_v2);
  ASSERT_TRUE(rt.reload("counter").success);
  rt.wait_for_unloads();

  auto unloaded = events.payloads("module.unloaded");
  ASSERT_EQ(unloaded.size(), 1u);
  EXPECT_EQ(unloaded[0].value("name", ""), "counter");
  EXPECT_EQ(unloaded[0].value("version", ""), "1.0.0");
  EXPECT_TRUE(unloaded[0].contains("generation"));
  EXPECT_EQ(unloaded[0].value("unloaded", false), true);
  EXPECT_FALSE(unloaded[0].contains("warning")) << unloaded[0].dump();
}

TEST_F(EventsTest, OnReloadReceivesStatsWithStageTimes) {
  install(fixtures::counter_v1);
  std::vector<hotmod::ReloadStats> seen;
  hotmod::Runtime rt(options());
  std::uint64_t id = rt.on_reload([&](const hotmod::ReloadStats& s) { seen.push_back(s); });

  hotmod::Module m = load(rt);
  ASSERT_EQ(seen.size(), 1u) << "a first load is reported too";
  EXPECT_TRUE(seen[0].success);
  EXPECT_TRUE(seen[0].first_load);
  EXPECT_EQ(seen[0].reload_count, 0u);

  install(fixtures::counter_v2);
  hotmod::ReloadStats stats = rt.reload("counter");
  ASSERT_EQ(seen.size(), 2u);
  const hotmod::ReloadStats& s = seen[1];
  EXPECT_TRUE(s.success);
  EXPECT_FALSE(s.first_load);
  EXPECT_EQ(s.module, "counter");
  EXPECT_EQ(s.version, "2.0.0");
  EXPECT_EQ(s.reload_count, 1u);
  EXPECT_EQ(s.stage, hotmod::Stage::none);
  EXPECT_EQ(s.failure, hotmod::Failure::none);
  EXPECT_EQ(s.duration, stats.duration);
  EXPECT_GT(s.duration.count(), 0);
  EXPECT_GT(s.stages.copy.count(), 0);
  EXPECT_GT(s.stages.open.count(), 0);
  EXPECT_GT(s.stages.validate.count(), 0);
  EXPECT_GT(s.stages.hooks.count(), 0);
  const auto sum = s.stages.copy + s.stages.open + s.stages.validate + s.stages.state +
                   s.stages.hooks + s.stages.swap;
  EXPECT_LE(sum, s.duration) << "stages are parts of the whole";

  rt.remove_on_reload(id);
  install(fixtures::counter_v1);
  ASSERT_TRUE(rt.reload("counter").success);
  EXPECT_EQ(seen.size(), 2u) << "removed callbacks are not called";
}

TEST_F(EventsTest, SubscriptionsOfAReplacedVersionAreRemoved) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(options());
  EventLog events(rt.bus());
  hotmod::Module m = load(rt);

  auto ping = [&] { return answers(rt, events, "test.ping", "test.pong"); };
  EXPECT_EQ(ping(), std::vector<int>{1});
  install(fixtures::counter_v2);
  ASSERT_TRUE(rt.reload("counter").success);
  EXPECT_EQ(ping(), std::vector<int>{2});
  install(fixtures::counter_v1);
  ASSERT_TRUE(rt.reload("counter").success);
  EXPECT_EQ(ping(), std::vector<int>{1});
  EXPECT_EQ(call_int(m, "pings"), 3) << "the handlers share the persistent state";
}

TEST_F(EventsTest, SubscriptionsMadeStraightOnTheContextsBusGoWithTheirVersion) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(options());
  EventLog events(rt.bus());
  hotmod::Module m = load(rt);

  auto ping = [&] { return answers(rt, events, "test.raw_ping", "test.raw_pong"); };
  EXPECT_EQ(ping(), std::vector<int>{1});
  install(fixtures::counter_v2);
  ASSERT_TRUE(rt.reload("counter").success);
  rt.wait_for_unloads();  // version 1's image is gone: a callback left behind would crash
  EXPECT_EQ(ping(), std::vector<int>{2}) << "version 1 never unsubscribed, the runtime did";
  install(fixtures::counter_v1);
  ASSERT_TRUE(rt.reload("counter").success);
  rt.wait_for_unloads();
  EXPECT_EQ(ping(), std::vector<int>{1});
}

TEST_F(EventsTest, HostSubscriptionsEndWithTheirHandle) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(options());
  std::atomic<int> calls{0};
  {
    hotmod::Subscription sub = rt.bus().subscribe(
        "host.topic", [&](std::string_view, const hotmod::Value& v) { calls += v.value("n", 0); });
    rt.bus().publish("host.topic", {{"n", 2}});
    rt.bus().publish("other.topic", {{"n", 5}});
    EXPECT_EQ(calls.load(), 2);
  }
  rt.bus().publish("host.topic", {{"n", 7}});
  EXPECT_EQ(calls.load(), 2);
}

}  // namespace
}  // namespace hotmod_test
