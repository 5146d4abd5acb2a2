#include "events/event_bus.hpp"

#include "pin/pin_domain.hpp"

namespace hotmod::events {

class LocalEventBus::OwnedView final : public EventBus {
 public:
  OwnedView(LocalEventBus& bus, std::uint64_t owner) : bus_(bus), owner_(owner) {}

  void publish(std::string_view topic, const Value& payload) override {
    bus_.publish(topic, payload);
  }
  Id add_subscriber(std::string_view topic, EventCallback callback) override {
    {
      std::lock_guard lock(bus_.views_mu_);
      if (!closed_) return bus_.add_owned(topic, std::move(callback), owner_);
    }
    if (bus_.on_refused_)
      bus_.on_refused_(topic,
                       "its module version is unloading (a subscription made by code "
                       "still running in it after its on_unload)");
    return 0;
  }
  void remove_subscriber(Id id) override { bus_.remove_subscriber(id); }

  bool closed_ = false;  // guarded by bus_.views_mu_

 private:
  LocalEventBus& bus_;
  std::uint64_t owner_;
};

LocalEventBus::LocalEventBus(ErrorSink on_error, ErrorSink on_refused)
    : subscribers_([sink = std::move(on_error)](std::string_view what, std::string_view topic,
                                                const Value&) {
        if (sink) sink(topic, what);
      }),
      on_refused_(std::move(on_refused)) {}

LocalEventBus::~LocalEventBus() = default;

EventBus& LocalEventBus::owned_view(std::uint64_t owner) {
  std::lock_guard lock(views_mu_);
  OwnedView*& view = view_of_[owner];
  if (view == nullptr) view = views_.emplace_back(std::make_unique<OwnedView>(*this, owner)).get();
  return *view;
}

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

void LocalEventBus::reopen_owner(std::uint64_t owner) {
  std::lock_guard lock(views_mu_);
  if (auto it = view_of_.find(owner); it != view_of_.end()) it->second->closed_ = false;
}

std::size_t LocalEventBus::remove_owner(std::uint64_t owner) {
  {
    // Closed first: nothing the owner's code subscribes from now on stays.
    std::lock_guard lock(views_mu_);
    if (auto it = view_of_.find(owner); it != view_of_.end()) it->second->closed_ = true;
  }
  return subscribers_.remove_if([&](const Tag& s) { return s.owner == owner; });
}

std::size_t LocalEventBus::subscriber_count() const {
  return subscribers_.size();
}

}  // namespace hotmod::events
