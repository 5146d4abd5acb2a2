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
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "events/callback_list.hpp"
#include "hotmod/events.hpp"
#include "hotmod/value.hpp"

namespace hotmod::events {

class LocalEventBus final : public EventBus {
 public:
  using ErrorSink = std::function<void(std::string_view topic, std::string_view what)>;
  // `on_error`: a subscriber threw `what`. `on_refused`: a subscription to
  // `topic` was refused, for the reason given.
  explicit LocalEventBus(ErrorSink on_error = {}, ErrorSink on_refused = {});
  ~LocalEventBus();
  LocalEventBus(const LocalEventBus&) = delete;
  LocalEventBus& operator=(const LocalEventBus&) = delete;

  void publish(std::string_view topic, const Value& payload) override;
  Id add_subscriber(std::string_view topic, EventCallback callback) override;
  void remove_subscriber(Id id) override;

  Id add_owned(std::string_view topic, EventCallback callback, std::uint64_t owner);
  // Removes every subscriber registered with `owner`; returns how many.
  // The owner's view, if it has one, is closed.
  std::size_t remove_owner(std::uint64_t owner);
  std::size_t subscriber_count() const;

  // The bus as one module version sees it (Context::bus()): whatever is
  // subscribed through it is owned by `owner`, so remove_owner(owner), run
  // when the version unloads, removes it — a module cannot leave a
  // subscriber behind its code. Once closed, subscribing through the view
  // is refused (id 0, and the refusal sink says so): code of an unloading
  // version still running cannot add one back. A view lives as long as the
  // bus, because a Subscription kept in a module's persistent state may
  // outlive its version and unsubscribe through it later (removing by id is
  // always safe): a few dozen bytes for each version that asks for one.
  EventBus& owned_view(std::uint64_t owner);
  // The owner runs again (a reload was rolled back to it): its view takes
  // subscriptions again.
  void reopen_owner(std::uint64_t owner);

 private:
  class OwnedView;

  struct Tag {
    std::string topic;  // or "*": every topic
    std::uint64_t owner = 0;
  };
  TaggedCallbackList<Tag, std::string_view, const Value&> subscribers_;
  ErrorSink on_refused_;
  // Taken before the subscriber list's lock: a view adds under it, so
  // remove_owner() cannot close the view between its check and its add.
  std::mutex views_mu_;
  std::vector<std::unique_ptr<OwnedView>> views_;          // guarded by views_mu_
  std::unordered_map<std::uint64_t, OwnedView*> view_of_;  // guarded by views_mu_
};

}  // namespace hotmod::events
