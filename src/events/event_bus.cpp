#include "events/event_bus.hpp"

#include "pin/pin_domain.hpp"

namespace hotmod::events {

LocalEventBus::LocalEventBus(ErrorSink on_error)
    : subscribers_([sink = std::move(on_error)](std::string_view what, std::string_view topic,
                                                const Value&) {
        if (sink) sink(topic, what);
      }) {}

void LocalEventBus::publish(std::string_view topic, const Value& payload) {
  // Pinned around the whole delivery: the last copy of a module's callback
  // may be destroyed in it, and its destructor is module code too.
  Pin pin(&pin::domain());
  // Publishing on "*" itself reaches each "*" subscriber once.
  subscribers_.call_if([&](const Tag& s) { return s.topic == topic || s.topic == "*"; }, topic,
                       payload);
}

EventBus::Id LocalEventBus::add_subscriber(std::string_view topic, EventCallback callback) {
  return add_owned(topic, std::move(callback), 0);
}

EventBus::Id LocalEventBus::add_owned(std::string_view topic, EventCallback callback,
                                      std::uint64_t owner) {
  return subscribers_.add(Tag{std::string(topic), owner}, std::move(callback));
}

void LocalEventBus::remove_subscriber(Id id) {
  subscribers_.remove(id);
}

std::size_t LocalEventBus::remove_owner(std::uint64_t owner) {
  return subscribers_.remove_if([&](const Tag& s) { return s.owner == owner; });
}

std::size_t LocalEventBus::subscriber_count() const {
  return subscribers_.size();
}

}  // namespace hotmod::events
