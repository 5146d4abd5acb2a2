// hotmod/events.hpp — publish/subscribe by topic.
//
// Delivery is synchronous: publish() calls every subscriber of the topic (and
// of "*") on the publishing thread, in subscription order, before returning.
// The bus is thread-safe; a callback may publish, subscribe or unsubscribe.
// A subscriber that throws is logged and skipped; the others still run.
//
// Topics the runtime publishes (payload fields in braces):
//   module.loaded        {name, version, kind, path, duration_ms}
//   module.reloaded      {name, version, kind, duration_ms, reload_count}
//   module.reload_failed {name, stage, failure, error, diagnostics}
//   module.dependency_notified {name, dependency, success, error?}: a
//     dependent's HOTMOD_ON_DEPENDENCY_RELOADED ran after `dependency` reloaded
//   module.unloaded      {name, version, generation, unloaded, code_kept, warning?}:
//     `code_kept`: its code stays mapped but inaccessible a while, so that
//     a stale call into it fails naming it (limits.retired_code_s)
//   module.crashed       {name, version, generation, error, quarantined,
//     rolled_back_to}: a contained crash; `quarantined` is the file's
//     content hash, `rolled_back_to` the version going back in (or null)
//   module.discovered    {name, path}      (refresh reports a new module)
//   module.vanished      {name, path}      (refresh reports its file gone)
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "hotmod/value_fwd.hpp"

namespace hotmod {

// A class, not an alias, so that hotmod/context.hpp can declare it; made
// from anything its std::function is made from, that std::function included.
class EventCallback : public std::function<void(std::string_view topic, const Value& payload)> {
 public:
  using function::function;
  EventCallback(const function& f) : function(f) {}                 // NOLINT: implicit by design
  EventCallback(function&& f) noexcept : function(std::move(f)) {}  // NOLINT: implicit by design
};

class EventBus {
 public:
  using Id = std::uint64_t;

  virtual void publish(std::string_view topic, const Value& payload) = 0;
  // Subscribes to `topic`, or to every topic with "*". Prefer subscribe().
  virtual Id add_subscriber(std::string_view topic, EventCallback callback) = 0;
  // Stops further deliveries to `id`. A delivery already running on another
  // thread may finish after this returns. Unknown ids are ignored.
  virtual void remove_subscriber(Id id) = 0;

  class Subscription;
  Subscription subscribe(std::string_view topic, EventCallback callback);

 protected:
  ~EventBus() = default;
};

// Unsubscribes when destroyed. Movable, not copyable.
class EventBus::Subscription {
 public:
  Subscription() = default;
  Subscription(EventBus* bus, Id id) : bus_(bus), id_(id) {}
  Subscription(Subscription&& o) noexcept : bus_(std::exchange(o.bus_, nullptr)), id_(o.id_) {}
  Subscription& operator=(Subscription&& o) noexcept {
    if (this != &o) {
      reset();
      bus_ = std::exchange(o.bus_, nullptr);
      id_ = o.id_;
    }
    return *this;
  }
  ~Subscription() { reset(); }

  void reset() {
    if (bus_ != nullptr) std::exchange(bus_, nullptr)->remove_subscriber(id_);
  }
  bool active() const { return bus_ != nullptr; }

 private:
  EventBus* bus_ = nullptr;
  Id id_ = 0;
};

inline EventBus::Subscription EventBus::subscribe(std::string_view topic, EventCallback callback) {
  return Subscription(this, add_subscriber(topic, std::move(callback)));
}

using Subscription = EventBus::Subscription;

}  // namespace hotmod
