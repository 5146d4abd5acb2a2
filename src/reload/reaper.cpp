#include "reload/reaper.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <system_error>

#include "contain/contain.hpp"
#include "contain/exception_holds.hpp"
#include "pin/pin_domain.hpp"

namespace hotmod::reload {

void destroy_objects(registry::Version& v, std::vector<registry::StateBox>& garbage) {
  if (v.def != nullptr) {
    // instances[i] was made by interfaces[i] (prepare creates them in order).
    const std::vector<const detail::InterfaceDef*> interfaces = v.interface_defs();
    for (std::size_t i = 0; i < v.instances.size(); ++i)
      interfaces[i]->destroy(v.instances[i].second);
    v.def->context = nullptr;
    v.def->state_data = nullptr;
  }
  v.instances.clear();
  for (auto& box : garbage) box.destroy();
  garbage.clear();
  v.functions.clear();
  v.def = nullptr;
}

bool close_version(registry::Version& v, std::string* why) {
  bool unloaded = true;
  if (v.image.handle != nullptr) {
    contain::remove_image(v.image.handle);
    unloaded = loader::close_image(v.image.handle, v.copy, v.elf, why);
    v.image.handle = nullptr;
  }
  // A copy whose image stayed is kept: deleting it would let the filesystem
  // reuse its inode, and glibc would hand the stale image back to a later
  // dlopen of a new copy with that inode. The next start removes it.
  if (unloaded && !v.copy.empty() && !v.keep_copy && !v.in_place) {
    std::error_code ec;
    std::filesystem::remove(v.copy, ec);
  }
  return unloaded;
}

bool unload_now(registry::Version& v, std::vector<registry::StateBox>& garbage, std::string* why) {
  destroy_objects(v, garbage);
  return close_version(v, why);
}

Reaper::Reaper(std::chrono::nanoseconds limit, std::function<void(const std::string&)> warn,
               RetiredCode kept)
    : limit_(limit), warn_(std::move(warn)), kept_limits_(kept), thread_([this] { run(); }) {}

Reaper::~Reaper() {
  finish();
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Reaper::finish() {
  {
    std::lock_guard lock(mu_);
    if (!finishing_) finish_started_ = std::chrono::steady_clock::now();
    finishing_ = true;
  }
  wait_idle();
  if (!may_wait()) return;
  std::unique_lock lock(mu_);
  keep_held_for_good(lock);
}

bool Reaper::may_wait() const {
  // Waiting from the reaper's own thread (a module.unloaded subscriber) or
  // from inside a pin (a call into a module, an event delivery) would wait
  // for ourselves.
  if (std::this_thread::get_id() == thread_.get_id()) return false;
  const PinRecord* r = detail::tls_pin_record;
  return r == nullptr || r->depth == 0;
}

void Reaper::keep_held_for_good(std::unique_lock<std::mutex>& lock) {
  // The reaper's thread may be releasing one right now.
  idle_.wait(lock, [&] { return !busy_; });
  release_unheld(lock);
  std::deque<Kept> held;
  held.swap(held_);
  lock.unlock();
  // Exceptions thrown from these still live, and need their code.
  const std::string why = "an exception it threw was still alive at shutdown";
  for (Kept& h : held) {
    if (h.told && h.retired.stayed) h.retired.stayed(why);
    if (!h.told && h.retired.done) h.retired.done(false, false, why);
    h.retired.done = nullptr;
    keep_for_good(std::move(h.retired));
  }
  lock.lock();
}

void Reaper::retire(Retired r) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(r));
  }
  wake_.notify_all();
}

void Reaper::wait_idle() {
  if (!may_wait()) return;  // it would wait for itself: at once instead
  std::unique_lock lock(mu_);
  ++waiters_;
  wake_.notify_all();  // skip the batching delay: someone is waiting
  idle_.wait(lock, [&] { return queue_.empty() && kept_.empty() && !busy_; });
  --waiters_;
}

void Reaper::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    const auto due = [&] { return stop_ || !queue_.empty() || (waiters_ > 0 && !kept_.empty()); };
    auto next = std::chrono::steady_clock::time_point::max();
    if (!kept_.empty()) next = kept_.front().until;
    if (!held_.empty()) next = std::min(next, std::chrono::steady_clock::now() + held_poll_);
    if (next == std::chrono::steady_clock::time_point::max())
      wake_.wait(lock, due);
    else
      wake_.wait_until(lock, next, due);
    if (queue_.empty() && kept_.empty() && stop_) {
      keep_held_for_good(lock);
      return;
    }
    busy_ = true;
    if (!queue_.empty()) {
      // Let the reload that retired this version return before we compete
      // with it for a core (and before synchronize()'s barrier interrupts
      // it); this also batches the retirements of a reload_all() into one
      // grace period.
      wake_.wait_for(lock, kBatchDelay, [&] { return stop_ || waiters_ > 0; });
      std::deque<Retired> batch;
      batch.swap(queue_);
      lock.unlock();
      // One grace period covers the whole batch.
      bool reported = false;
      if (pin::synchronize(
              [&](const pin::Straggler& s) { return keep_waiting(batch, s, &reported); }))
        for (Retired& r : batch) unload(r);
      else
        abandon(batch);
      batch.clear();
      lock.lock();
    }
    if (!finishing_) {  // finish() deals with what is held then
      const std::size_t before = held_.size();
      release_unheld(lock);
      // Held for long (an exception_ptr kept for good): look less often.
      held_poll_ = held_.size() < before ? kHeldPoll : std::min(held_poll_ * 2, kHeldPollMax);
    }
    close_kept(lock, stop_ || finishing_ || waiters_ > 0);
    busy_ = false;
    if (queue_.empty() && kept_.empty()) idle_.notify_all();
  }
}

void Reaper::close_kept(std::unique_lock<std::mutex>& lock, bool all) {
  const auto now = std::chrono::steady_clock::now();
  while (!kept_.empty()) {
    const Kept& oldest = kept_.front();
    if (!all && oldest.until > now && kept_.size() <= kept_limits_.images &&
        kept_bytes_ <= kept_limits_.bytes)
      return;
    std::optional<Kept> k(std::move(kept_.front()));
    kept_.pop_front();
    kept_bytes_ -= k->code.image_bytes;
    if (contain::held_by_exception(k->retired.version->image.handle)) {
      // Its code ran again since (runs_again) and threw: the exception's
      // code must run. Closed once it is destroyed.
      contain::unguard_image(k->retired.version->image.handle);
      held_.push_back(std::move(*k));
      held_poll_ = kHeldPoll;
      continue;
    }
    lock.unlock();
    close(*k);
    k.reset();  // the version goes with mu_ released, as in run()
    lock.lock();
  }
}

void Reaper::close(Kept& k) {
  registry::Version& v = *k.retired.version;
  std::string why;
  // Between here and dlclose a stale call runs old code again, as it did
  // before code was guarded: the image's finalizers need its code.
  if (!contain::unguard_image(v.image.handle))
    why =
        "its code could not be made runnable again for its static destructors (mprotect "
        "failed), so it stays open";
  // Looked at after unguarding: a thread that found the code guarded has
  // marked it by now, unless it is still between its fault and the mark.
  else if (contain::ran_after_retirement(v.image.handle))
    why =
        "its code ran again after it was replaced, on a thread the module started or through a "
        "pointer the host kept, and may still be running there, so it stays open";
  if (!why.empty()) {
    if (k.retired.stayed) k.retired.stayed(why);
    keep_for_good(std::move(k.retired));
    return;
  }
  if (!close_version(v, &why) && k.retired.stayed) k.retired.stayed(why);
}

namespace {

std::string thread_name(int tid) {
  std::ifstream comm(fmt::format("/proc/self/task/{}/comm", tid));
  std::string name;
  std::getline(comm, name);
  return name.empty() ? "?" : name;
}

std::string names(const std::deque<Retired>& batch) {
  std::string out;
  for (const Retired& r : batch)
    out += fmt::format("{}module '{}' version {} (load {})", out.empty() ? "" : ", ",
                       r.version->module, r.version->version, r.version->generation);
  return out;
}

}  // namespace

bool Reaper::keep_waiting(const std::deque<Retired>& batch, const pin::Straggler& s,
                          bool* reported) {
  if (limit_ <= std::chrono::nanoseconds::zero()) return true;
  if (!*reported && s.waited >= limit_) {
    *reported = true;
    if (warn_)
      warn_(fmt::format(
          "{} was replaced {} s ago, but thread {} ('{}') is still inside a call into module "
          "code that began before (in that module or another): the replaced code stays in "
          "memory until the call returns; raise limits.pinned_call_s in hotmod.json if such "
          "calls are expected",
          names(batch), std::chrono::duration_cast<std::chrono::seconds>(s.waited).count(), s.tid,
          thread_name(s.tid)));
  }
  std::lock_guard lock(mu_);
  return !finishing_ || std::chrono::steady_clock::now() - finish_started_ < limit_;
}

void Reaper::keep_for_good(Retired r) {
  // Kept reachable, so leak checkers do not count them.
  static std::mutex mu;
  static auto* kept = new std::vector<Retired>();
  std::lock_guard lock(mu);
  kept->push_back(std::move(r));
}

void Reaper::abandon(std::deque<Retired>& batch) {
  // Never unloaded: their code may still be running.
  for (Retired& r : batch) {
    if (r.done)
      r.done(false, false,
             "a call into module code that began before it was replaced was still running at "
             "shutdown");
    r.done = nullptr;
    keep_for_good(std::move(r));
  }
}

void Reaper::release_unheld(std::unique_lock<std::mutex>& lock) {
  for (std::size_t i = 0; i < held_.size();) {
    if (contain::held_by_exception(held_[i].retired.version->image.handle)) {
      ++i;
      continue;
    }
    std::optional<Kept> h(std::move(held_[i]));
    held_.erase(held_.begin() + static_cast<std::ptrdiff_t>(i));
    lock.unlock();
    if (h->told)
      close(*h);
    else
      release_image(h->retired);
    h.reset();  // the version goes with mu_ released, as in run()
    lock.lock();
  }
}

void Reaper::unload(Retired& r) {
  registry::Version& v = *r.version;
  destroy_objects(v, r.garbage);
  if (contain::held_by_exception(v.image.handle)) {
    Kept h;
    h.retired = std::move(r);
    std::lock_guard lock(mu_);
    held_.push_back(std::move(h));
    held_poll_ = kHeldPoll;
    return;
  }
  release_image(r);
}

void Reaper::release_image(Retired& r) {
  registry::Version& v = *r.version;
  bool keep = r.keep_code && kept_limits_.age > std::chrono::seconds::zero() &&
              kept_limits_.bytes > 0 && kept_limits_.images > 0 && v.image.handle != nullptr;
  if (keep) {
    std::lock_guard lock(mu_);
    keep = !finishing_;  // shutting down: everything is closed now
  }
  Kept k;
  if (keep && loader::plan_code_guard(v.image.handle, v.elf, &k.code)) {
    // Known as retired before its pages go, so that a call arriving in
    // between is named a stale call, not a crash of that version.
    std::vector<contain::GuardRange> ranges;
    for (const loader::GuardedCode::Range& g : k.code.ranges)
      ranges.push_back({g.start, g.size, g.protection});
    contain::retire_image(v.image.handle, ranges.data(), ranges.size());
    if (loader::guard_pages(k.code)) {
      if (r.done) r.done(true, true, "");
      r.done = nullptr;
      k.until = std::chrono::steady_clock::now() + kept_limits_.age;
      k.told = true;
      k.retired = std::move(r);
      std::lock_guard lock(mu_);
      kept_bytes_ += k.code.image_bytes;
      kept_.push_back(std::move(k));
      return;
    }
    contain::unretire_image(v.image.handle);
  }
  std::string why;
  const bool unloaded = close_version(v, &why);
  if (r.done) r.done(unloaded, false, why);
}

}  // namespace hotmod::reload
