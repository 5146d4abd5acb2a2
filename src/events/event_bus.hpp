// The runtime's EventBus: topic -> subscribers, synchronous delivery.
//
// Thread-safety: all members may be called from any thread, including from
// inside a callback. publish() copies the matching subscribers under the lock
// and calls them without it, inside a pin, so a module's handler is never
// unmapped while it runs. Subscribers carry an owner tag (a module version's
// generation, 0 for the host) so a version's subscriptions can be removed in
// one call before its image goes.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hotmod/events.hpp"

namespace hotmod::events {

class LocalEventBus final : public EventBus {
 public:
  using ErrorSink = std::function<void(std::string_view topic, std::string_view what)>;
  explicit LocalEventBus(ErrorSink on_error = {}) : on_error_(std::move(on_error)) {}

  void publish(std::string_view topic, const Value& payload) override;
  Id add_subscriber(std::string_view topic, EventCallback callback) override;
  void remove_subscriber(Id id) override;

  Id add_owned(std::string_view topic, EventCallback callback, std::uint64_t owner);
  // Removes every subscriber registered with `owner`; returns how many.
  std::size_t remove_owner(std::uint64_t owner);
  std::size_t subscriber_count() const;

 private:
  struct Subscriber {
    Id id;
    std::uint64_t owner;
    std::string topic;
    EventCallback callback;
    std::atomic<bool> active{true};
  };

  mutable std::mutex mu_;
  Id next_id_ = 1;
  std::map<std::string, std::vector<std::shared_ptr<Subscriber>>, std::less<>> by_topic_;
  ErrorSink on_error_;
};

}  // namespace hotmod::events
