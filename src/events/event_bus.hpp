// The runtime's EventBus: topic -> subscribers, synchronous delivery.
//
// A CallbackList (callback_list.hpp) and its rule: delivery in subscription
// order, a subscriber may subscribe and unsubscribe from inside a callback,
// one that throws reaches the error sink and the others still run.
// publish() calls them inside a pin, so a module's handler is never unmapped
// while it runs; removing a subscriber does not wait for a call in progress
// (the pin covers it, and waiting could deadlock with a reload). Subscribers
// carry an owner tag (a module version's generation, 0 for the host) so a
// version's subscriptions can be removed in one call before its image goes.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "events/callback_list.hpp"
#include "hotmod/events.hpp"

namespace hotmod::events {

class LocalEventBus final : public EventBus {
 public:
  using ErrorSink = std::function<void(std::string_view topic, std::string_view what)>;
  explicit LocalEventBus(ErrorSink on_error = {});

  void publish(std::string_view topic, const Value& payload) override;
  Id add_subscriber(std::string_view topic, EventCallback callback) override;
  void remove_subscriber(Id id) override;

  Id add_owned(std::string_view topic, EventCallback callback, std::uint64_t owner);
  // Removes every subscriber registered with `owner`; returns how many.
  std::size_t remove_owner(std::uint64_t owner);
  std::size_t subscriber_count() const;

 private:
  struct Tag {
    std::string topic;  // or "*": every topic
    std::uint64_t owner = 0;
  };
  TaggedCallbackList<Tag, std::string_view, const Value&> subscribers_;
};

}  // namespace hotmod::events
