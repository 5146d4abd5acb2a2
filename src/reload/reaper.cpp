#include "reload/reaper.hpp"

#include <filesystem>
#include <system_error>

#include "contain/contain.hpp"
#include "pin/pin_domain.hpp"

namespace hotmod::reload {

bool unload_now(registry::Version& v, std::vector<registry::StateBox>& garbage, std::string* why) {
  if (v.def != nullptr) {
    // instances[i] was made by interfaces[i] (prepare creates them in order).
    for (std::size_t i = 0; i < v.instances.size(); ++i)
      v.def->interfaces[i].destroy(v.instances[i].second);
    v.def->context = nullptr;
    v.def->state_data = nullptr;
  }
  v.instances.clear();
  for (auto& box : garbage) box.destroy();
  garbage.clear();
  v.functions.clear();
  v.def = nullptr;
  bool unloaded = true;
  if (v.image.handle != nullptr) {
    contain::remove_image(v.image.handle);
    unloaded = loader::close_image(v.image.handle, v.copy, v.elf, why);
    v.image.handle = nullptr;
  }
  // A copy whose image stayed is kept: deleting it would let the filesystem
  // reuse its inode, and glibc would hand the stale image back to a later
  // dlopen of a new copy with that inode. The next start removes it.
  if (unloaded && !v.copy.empty() && !v.keep_copy) {
    std::error_code ec;
    std::filesystem::remove(v.copy, ec);
  }
  return unloaded;
}

Reaper::Reaper() : thread_([this] { run(); }) {}

Reaper::~Reaper() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Reaper::retire(Retired r) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(r));
  }
  wake_.notify_all();
}

void Reaper::wait_idle() {
  // Waiting from the reaper's own thread (a module.unloaded subscriber) or
  // from inside a pin (a call into a module, an event delivery) would wait
  // for ourselves: return at once instead.
  if (std::this_thread::get_id() == thread_.get_id()) return;
  if (const PinRecord* r = detail::tls_pin_record; r != nullptr && r->depth > 0) return;
  std::unique_lock lock(mu_);
  ++waiters_;
  wake_.notify_all();  // skip the batching delay: someone is waiting
  idle_.wait(lock, [&] { return queue_.empty() && !busy_; });
  --waiters_;
}

void Reaper::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty() && stop_) return;
    // Let the reload that retired this version return before we compete with
    // it for a core (and before synchronize()'s barrier interrupts it); this
    // also batches the retirements of a reload_all() into one grace period.
    wake_.wait_for(lock, kBatchDelay, [&] { return stop_ || waiters_ > 0; });
    std::deque<Retired> batch;
    batch.swap(queue_);
    busy_ = true;
    lock.unlock();
    // One grace period covers the whole batch.
    pin::domain().synchronize();
    for (Retired& r : batch) unload(r);
    batch.clear();
    lock.lock();
    busy_ = false;
    if (queue_.empty()) idle_.notify_all();
  }
}

void Reaper::unload(Retired& r) {
  std::string why;
  const bool unloaded = unload_now(*r.version, r.garbage, &why);
  if (r.done) r.done(unloaded, why);
}

}  // namespace hotmod::reload
