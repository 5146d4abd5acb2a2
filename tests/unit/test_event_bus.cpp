// events/event_bus (LocalEventBus): delivery order, "*" subscribers, throwing
// subscribers, changing subscriptions from inside a callback, owners, and a
// concurrent smoke test (meaningful under the tsan preset).
#include "events/event_bus.hpp"

#include <atomic>
#include <functional>
#include <latch>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace hotmod::events {
namespace {

// Records "<subscriber>:<topic>" for each delivery.
struct Calls {
  std::mutex mu;
  std::vector<std::string> seen;

  EventCallback recorder(std::string who) {
    return [this, who = std::move(who)](std::string_view topic, const Value&) {
      std::lock_guard lock(mu);
      seen.push_back(who + ":" + std::string(topic));
    };
  }
  std::vector<std::string> take() {
    std::lock_guard lock(mu);
    return std::exchange(seen, {});
  }
};

using Strings = std::vector<std::string>;

TEST(EventBus, DeliversInSubscriptionOrderAcrossTopicAndStar) {
  LocalEventBus bus;
  Calls calls;
  bus.add_subscriber("a", calls.recorder("1"));
  bus.add_subscriber("*", calls.recorder("2"));
  bus.add_subscriber("b", calls.recorder("3"));
  bus.add_subscriber("a", calls.recorder("4"));

  bus.publish("a", Value{});
  EXPECT_EQ(calls.take(), (Strings{"1:a", "2:a", "4:a"}));
  bus.publish("b", Value{});
  EXPECT_EQ(calls.take(), (Strings{"2:b", "3:b"}));
  bus.publish("nobody.listens", Value{});
  EXPECT_EQ(calls.take(), (Strings{"2:nobody.listens"}));
}

// EventCallback is a class (so that hotmod/context.hpp can declare it): a
// std::function of its signature, copied or moved, still subscribes.
TEST(EventBus, AStdFunctionSubscribesAsAnEventCallback) {
  LocalEventBus bus;
  int heard = 0;
  const std::function<void(std::string_view, const Value&)> kept = [&](std::string_view,
                                                                       const Value&) { ++heard; };
  std::function<void(std::string_view, const Value&)> moved = kept;
  EventBus::Subscription a = bus.subscribe("t", kept);
  EventBus::Subscription b = bus.subscribe("t", std::move(moved));
  bus.publish("t", Value{});
  EXPECT_EQ(heard, 2);
}

TEST(EventBus, PassesThePayload) {
  LocalEventBus bus;
  Value got;
  bus.add_subscriber("module.loaded", [&](std::string_view, const Value& v) { got = v; });
  bus.publish("module.loaded", Value{{"name", "counter"}, {"version", "1.0.0"}});
  EXPECT_EQ(got["name"], "counter");
  EXPECT_EQ(got["version"], "1.0.0");
}

// Publishing on the topic "*" itself matches the "*" subscribers once each,
// not once as the exact topic and again as the wildcard.
TEST(EventBus, PublishingOnStarDeliversOncePerSubscriber) {
  LocalEventBus bus;
  Calls calls;
  bus.add_subscriber("*", calls.recorder("all"));
  bus.publish("*", Value{});
  EXPECT_EQ(calls.take(), (Strings{"all:*"}));
}

TEST(EventBus, ThrowingSubscriberDoesNotStopTheOthersAndReachesTheErrorSink) {
  std::vector<std::pair<std::string, std::string>> errors;
  LocalEventBus bus(
      [&](std::string_view topic, std::string_view what) { errors.emplace_back(topic, what); });
  Calls calls;
  bus.add_subscriber("t", [](std::string_view, const Value&) { throw std::runtime_error("boom"); });
  bus.add_subscriber("t", calls.recorder("after-std"));
  bus.add_subscriber("*", [](std::string_view, const Value&) { throw 42; });
  bus.add_subscriber("t", calls.recorder("after-int"));

  bus.publish("t", Value{});
  EXPECT_EQ(calls.take(), (Strings{"after-std:t", "after-int:t"}));
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0], (std::pair<std::string, std::string>{"t", "boom"}));
  EXPECT_EQ(errors[1].first, "t");
  EXPECT_EQ(errors[1].second, "an exception that is not a std::exception");
}

TEST(EventBus, ThrowingSubscriberWithoutErrorSinkIsSkipped) {
  LocalEventBus bus;
  Calls calls;
  bus.add_subscriber("t", [](std::string_view, const Value&) { throw std::runtime_error("x"); });
  bus.add_subscriber("t", calls.recorder("ok"));
  bus.publish("t", Value{});
  EXPECT_EQ(calls.take(), (Strings{"ok:t"}));
}

TEST(EventBus, UnsubscribeFromInsideACallback) {
  LocalEventBus bus;
  Calls calls;
  EventBus::Id later = 0;
  EventBus::Id self = 0;
  bus.add_subscriber("t", [&](std::string_view topic, const Value& v) {
    bus.remove_subscriber(later);  // not yet called in this very delivery
    calls.recorder("remover")(topic, v);
  });
  later = bus.add_subscriber("t", calls.recorder("later"));
  self = bus.add_subscriber("t", [&](std::string_view topic, const Value& v) {
    bus.remove_subscriber(self);
    calls.recorder("once")(topic, v);
  });

  bus.publish("t", Value{});
  EXPECT_EQ(calls.take(), (Strings{"remover:t", "once:t"}));
  bus.publish("t", Value{});
  EXPECT_EQ(calls.take(), (Strings{"remover:t"}));
  EXPECT_EQ(bus.subscriber_count(), 1u);
}

TEST(EventBus, SubscribeAndPublishFromInsideACallback) {
  LocalEventBus bus;
  Calls calls;
  bool added = false;
  bus.add_subscriber("t", [&](std::string_view, const Value&) {
    if (!added) {
      added = true;
      bus.add_subscriber("t", calls.recorder("new"));  // from the next publish on
    }
    bus.publish("nested", Value{});
  });
  bus.add_subscriber("nested", calls.recorder("n"));

  bus.publish("t", Value{});
  EXPECT_EQ(calls.take(), (Strings{"n:nested"}));
  bus.publish("t", Value{});
  EXPECT_EQ(calls.take(), (Strings{"n:nested", "new:t"}));
}

TEST(EventBus, SubscriptionUnsubscribesOnceWhenDestroyed) {
  LocalEventBus bus;
  Calls calls;
  {
    EventBus::Subscription s = bus.subscribe("t", calls.recorder("scoped"));
    EventBus::Subscription moved = std::move(s);
    EXPECT_FALSE(s.active());  // NOLINT(bugprone-use-after-move): checking the moved-from state
    EXPECT_TRUE(moved.active());
    bus.publish("t", Value{});
  }
  bus.publish("t", Value{});
  EXPECT_EQ(calls.take(), (Strings{"scoped:t"}));
  EXPECT_EQ(bus.subscriber_count(), 0u);
  bus.remove_subscriber(12345);  // unknown ids are ignored
}

TEST(EventBus, RemoveOwnerRemovesOnlyThatOwnersSubscribers) {
  LocalEventBus bus;
  Calls calls;
  bus.add_owned("t", calls.recorder("v7a"), 7);
  bus.add_subscriber("t", calls.recorder("host"));
  bus.add_owned("*", calls.recorder("v7b"), 7);
  bus.add_owned("t", calls.recorder("v8"), 8);

  EXPECT_EQ(bus.remove_owner(7), 2u);
  EXPECT_EQ(bus.subscriber_count(), 2u);
  bus.publish("t", Value{});
  EXPECT_EQ(calls.take(), (Strings{"host:t", "v8:t"}));
  EXPECT_EQ(bus.remove_owner(7), 0u);
}

TEST(EventBus, RemoveOwnerDuringADeliveryStopsItsLaterSubscribers) {
  LocalEventBus bus;
  Calls calls;
  bus.add_subscriber("t", [&](std::string_view, const Value&) { bus.remove_owner(9); });
  bus.add_owned("t", calls.recorder("v9"), 9);
  bus.publish("t", Value{});
  EXPECT_TRUE(calls.take().empty());
}

// Publishers on four threads while another thread subscribes, unsubscribes
// and removes owners. Every publish reaches the permanent subscribers.
TEST(EventBus, ConcurrentPublishAndSubscribeSmoke) {
  constexpr int kPublishers = 4;
  constexpr int kEach = 2000;
  LocalEventBus bus;
  std::atomic<int> exact{0};
  std::atomic<int> star{0};
  std::atomic<int> churned{0};
  bus.add_subscriber("t", [&](std::string_view, const Value&) { exact.fetch_add(1); });
  bus.add_subscriber("*", [&](std::string_view, const Value&) { star.fetch_add(1); });

  std::atomic<bool> stop{false};
  std::latch start(kPublishers + 1);
  std::thread churn([&] {
    start.arrive_and_wait();
    for (std::uint64_t i = 0; !stop.load(); ++i) {
      const EventBus::Id id =
          bus.add_subscriber("t", [&](std::string_view, const Value&) { churned.fetch_add(1); });
      bus.add_owned(
          "*", [](std::string_view, const Value&) {}, 100 + i % 3);
      bus.remove_subscriber(id);
      bus.remove_owner(100 + (i + 1) % 3);
    }
  });
  std::vector<std::thread> publishers;
  for (int p = 0; p < kPublishers; ++p) {
    publishers.emplace_back([&] {
      start.arrive_and_wait();
      for (int i = 0; i < kEach; ++i) bus.publish(i % 2 == 0 ? "t" : "u", Value(i));
    });
  }
  for (auto& t : publishers) t.join();
  stop.store(true);
  churn.join();

  EXPECT_EQ(exact.load(), kPublishers * kEach / 2);
  EXPECT_EQ(star.load(), kPublishers * kEach);
  for (std::uint64_t owner : {100, 101, 102}) bus.remove_owner(owner);
  EXPECT_EQ(bus.subscriber_count(), 2u);
}

TEST(EventBus, AnOwnedViewsSubscriptionsGoWithTheirOwnerAndAClosedViewRefusesMore) {
  std::vector<std::string> errors;
  LocalEventBus bus([](std::string_view, std::string_view) { ADD_FAILURE() << "nothing threw"; },
                    [&](std::string_view topic, std::string_view why) {
                      errors.push_back(std::string(topic) + ": " + std::string(why));
                    });
  Calls calls;
  EventBus& view = bus.owned_view(7);
  EXPECT_EQ(&view, &bus.owned_view(7)) << "one view per owner";
  const EventBus::Id raw = view.add_subscriber("t", calls.recorder("raw"));
  EventBus::Subscription kept = view.subscribe("t", calls.recorder("kept"));
  bus.add_subscriber("t", calls.recorder("host"));
  view.publish("t", Value());
  EXPECT_EQ(calls.take(), (Strings{"raw:t", "kept:t", "host:t"}));

  EXPECT_EQ(bus.remove_owner(7), 2u);
  bus.publish("t", Value());
  EXPECT_EQ(calls.take(), Strings{"host:t"});
  EXPECT_EQ(view.add_subscriber("t", calls.recorder("late")), 0u) << "the owner is unloading";
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("unloading"), std::string::npos) << errors[0];
  bus.publish("t", Value());
  EXPECT_EQ(calls.take(), Strings{"host:t"});
  bus.reopen_owner(7);  // a reload rolled back: the owner runs again
  const EventBus::Id again = view.add_subscriber("t", calls.recorder("again"));
  EXPECT_NE(again, 0u);
  bus.publish("t", Value());
  EXPECT_EQ(calls.take(), (Strings{"host:t", "again:t"}));
  view.remove_subscriber(again);
  view.remove_subscriber(raw);  // after its owner went: harmless
  kept.reset();                 // a Subscription outliving its version: harmless
  EXPECT_EQ(bus.subscriber_count(), 1u);
}

}  // namespace
}  // namespace hotmod::events
