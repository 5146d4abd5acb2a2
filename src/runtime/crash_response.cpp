#include "runtime/crash_response.hpp"

#include <fmt/format.h>

#include <memory>
#include <optional>
#include <shared_mutex>

#include "runtime/quarantine.hpp"
#include "runtime/runtime_impl.hpp"

namespace hotmod::runtime {

CrashResponder::CrashResponder(Core& core) : core_(core) {
  if (contain::supported()) contain::watch_crashes(&CrashResponder::told, this);
}

CrashResponder::~CrashResponder() {
  contain::unwatch_crashes(this);  // no notice arrives after this
  std::thread worker;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    worker = std::move(worker_);
  }
  wake_.notify_all();
  if (worker.joinable()) worker.join();
}

void CrashResponder::told(void* self, const contain::CrashNotice& notice) {
  auto& r = *static_cast<CrashResponder*>(self);
  {
    std::lock_guard lock(r.mu_);
    if (r.stop_) return;
    r.queue_.push_back(notice);
    if (!r.worker_.joinable()) r.worker_ = std::thread([&r] { r.run(); });
  }
  r.wake_.notify_all();
}

void CrashResponder::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing left
    contain::CrashNotice notice = std::move(queue_.front());
    queue_.pop_front();
    const bool stopping = stop_;
    lock.unlock();
    respond(notice, stopping);
    lock.lock();
  }
}

void CrashResponder::respond(const contain::CrashNotice& n, bool stopping) {
  if (n.owner != static_cast<const void*>(static_cast<reload::Host*>(&core_.host)))
    return;  // another runtime's module
  std::shared_ptr<registry::Slot> slot;
  {
    std::shared_lock lock(core_.registry_mu);
    if (auto it = core_.slots.find(n.module); it != core_.slots.end()) slot = it->second;
  }
  // Whether the running version crashed, and whether there is one to go
  // back to. A version that crashed is never one to go back to.
  bool running = false;
  bool newer_waits = false;
  std::optional<registry::Slot::Fallback> back;
  if (slot) {
    std::lock_guard lock(slot->mu);
    const std::shared_ptr<registry::Version>& now = slot->life.running();
    running = now != nullptr && now->generation == n.generation && !slot->life.stopped();
    newer_waits = slot->life.parked() != nullptr;
    if (slot->fallback && slot->fallback->generation == n.generation) core_.drop_fallback(*slot);
    if (running && !stopping && !newer_waits) back = slot->fallback;
  }

  // A crash in static constructors comes before the version is known.
  const std::string version = n.version.empty() ? "unknown" : n.version;
  const std::optional<std::string> unsaved =
      core_.quarantine.add({n.content_hash, n.module, version, "", n.message});
  if (unsaved) core_.log.warn(fmt::format("module '{}': {}", n.module, *unsaved));

  const std::string where = core_.quarantine.file().empty()
                                ? std::string("for as long as this process runs")
                                : fmt::format("in {}", core_.quarantine.file().string());
  const std::string quarantined = fmt::format(
      "this build of it is quarantined ({}) and not loaded again until its file changes", where);
  // Logged before module.crashed is published: a subscriber that sees the
  // event finds the log already written.
  if (!running)
    core_.log.warn(fmt::format("module '{}': {}", n.module, quarantined));
  else if (stopping)  // the runtime is going: nothing to roll back for
    core_.log.error(fmt::format("{}; {}", n.message, quarantined));
  else if (newer_waits)
    core_.log.error(
        fmt::format("{}; a newer version waits for apply_pending() and replaces it "
                    "there, and {}",
                    n.message, quarantined));
  else if (!back)
    core_.log.error(
        fmt::format("{}; it keeps running, as no earlier version is kept to go back to, and {}",
                    n.message, quarantined));
  else
    core_.log.error(fmt::format("{}; rolling back to version {}, and {}", n.message, back->version,
                                quarantined));
  core_.bus.publish("module.crashed",
                    Value{{"name", n.module},
                          {"version", version},
                          {"generation", n.generation},
                          {"error", n.message},
                          {"quarantined", hash_text(n.content_hash)},
                          {"rolled_back_to", back ? Value(back->version) : Value(nullptr)}});
  if (!back) return;

  ReloadStats stats;
  {
    std::lock_guard lock(slot->mu);
    const std::shared_ptr<registry::Version>& now = slot->life.running();
    // A reload since the crash already replaced it: nothing to roll back.
    if (now == nullptr || now->generation != n.generation || slot->life.stopped() ||
        slot->life.parked() != nullptr || !slot->fallback ||
        slot->fallback->generation != back->generation)
      return;
    slot->rollback_from = back->copy;
    stats = core_.reload_locked(*slot, {}, /*built=*/true);
    slot->rollback_from.clear();
    if (stats.success) {
      slot->build_key = back->build_key;
      core_.drop_fallback(*slot);  // loaded again from a copy of its own
    }
  }
  core_.deliver_notices();
  if (!stats.success)
    core_.log.error(
        fmt::format("module '{}': rolling back to version {} failed, so version {} "
                    "keeps running: {}",
                    n.module, back->version, version, stats.error));
}

}  // namespace hotmod::runtime
