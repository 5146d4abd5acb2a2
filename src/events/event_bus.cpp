#include "events/event_bus.hpp"

#include <algorithm>

#include "pin/pin_domain.hpp"

namespace hotmod::events {

void LocalEventBus::publish(std::string_view topic, const Value& payload) {
  // Pinned before `targets` exists: the last copy of a module's callback may
  // be destroyed here, and its destructor is module code too.
  Pin pin(&pin::domain());
  std::vector<std::shared_ptr<Subscriber>> targets;
  {
    std::lock_guard lock(mu_);
    // Publishing on "*" itself reaches each "*" subscriber once.
    const bool star = topic == "*";
    for (std::string_view key : {topic, std::string_view("*")}) {
      if (star && key.data() != topic.data()) break;
      auto it = by_topic_.find(key);
      if (it != by_topic_.end())
        targets.insert(targets.end(), it->second.begin(), it->second.end());
    }
  }
  if (targets.empty()) return;
  // Subscription order across the exact topic and "*".
  std::sort(targets.begin(), targets.end(),
            [](const auto& a, const auto& b) { return a->id < b->id; });
  for (const auto& s : targets) {
    if (!s->active.load(std::memory_order_acquire)) continue;
    try {
      s->callback(topic, payload);
    } catch (const std::exception& e) {
      if (on_error_) on_error_(topic, e.what());
    } catch (...) {
      if (on_error_) on_error_(topic, "a subscriber threw something that is not a std::exception");
    }
  }
}

EventBus::Id LocalEventBus::add_subscriber(std::string_view topic, EventCallback callback) {
  return add_owned(topic, std::move(callback), 0);
}

EventBus::Id LocalEventBus::add_owned(std::string_view topic, EventCallback callback,
                                      std::uint64_t owner) {
  std::lock_guard lock(mu_);
  auto s = std::make_shared<Subscriber>();
  s->id = next_id_++;
  s->owner = owner;
  s->topic = std::string(topic);
  s->callback = std::move(callback);
  auto it = by_topic_.find(topic);
  if (it == by_topic_.end())
    it = by_topic_.emplace(std::string(topic), std::vector<std::shared_ptr<Subscriber>>{}).first;
  it->second.push_back(std::move(s));
  return next_id_ - 1;
}

void LocalEventBus::remove_subscriber(Id id) {
  std::lock_guard lock(mu_);
  for (auto& [topic, subs] : by_topic_) {
    auto it = std::find_if(subs.begin(), subs.end(), [&](const auto& s) { return s->id == id; });
    if (it != subs.end()) {
      (*it)->active.store(false, std::memory_order_release);
      subs.erase(it);
      return;
    }
  }
}

std::size_t LocalEventBus::remove_owner(std::uint64_t owner) {
  std::lock_guard lock(mu_);
  std::size_t removed = 0;
  for (auto& [topic, subs] : by_topic_) {
    std::erase_if(subs, [&](const auto& s) {
      if (s->owner != owner) return false;
      s->active.store(false, std::memory_order_release);
      ++removed;
      return true;
    });
  }
  return removed;
}

std::size_t LocalEventBus::subscriber_count() const {
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  for (const auto& [topic, subs] : by_topic_) n += subs.size();
  return n;
}

}  // namespace hotmod::events
