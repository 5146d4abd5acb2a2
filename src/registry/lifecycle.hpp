// A module's lifecycle in its slot: the version that runs, the version
// prepared and waiting for a safe point, whether the last attempt failed
// and what it read. One value whose transitions check the state they leave,
// instead of loose fields any combination of which could be written.
//
//   unloaded ──commit──▶ running ──park──▶ running + parked
//                         ▲   │ commit          │ unpark, then commit
//                         └───┘◀────────────────┘
//   unloaded | running ──fail──▶ the same, and failed (until an attempt
//                                 prepares a version again)
//   running | unloaded ──stop──▶ stopped (shutdown: nothing more happens)
//
// A transition from a state it does not leave throws std::logic_error
// naming the module and the transition: a bug in hotmod, never a user's.
//
// Thread-safety: guarded by the slot's mu, except ever_loaded() and the
// vanished flag, which lookups read without it.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <utility>

#include "loader/file_snapshot.hpp"

namespace hotmod::registry {

struct Version;

class Lifecycle {
 public:
  explicit Lifecycle(std::string module) : module_(std::move(module)) {}

  // The running version; null before the first successful load and after stop().
  const std::shared_ptr<Version>& running() const { return running_; }
  // A version prepared under CommitPolicy::safe_point, waiting for apply_pending().
  const std::shared_ptr<Version>& parked() const { return parked_; }
  // The last attempt failed (and none has prepared a version since).
  bool failed() const { return failure_ != Failure::none; }
  // The module was tried: a version runs, or an attempt failed. Changes to
  // its files reload only such modules; the others load on first use.
  bool attempted() const { return running_ != nullptr || failed(); }
  // Whether `file` no longer holds what the runtime last read of it: the
  // last failed attempt's read, else the parked version's, else the running
  // one's. A failure that read nothing (a compile error) counts as changed.
  // Requires attempted().
  bool file_changed(const std::filesystem::path& file) const;
  // Set once the first version's on_load returned, and never cleared:
  // lookups hand out handles only then.
  bool ever_loaded() const { return loaded_.load(std::memory_order_acquire); }
  bool stopped() const { return stopped_; }

  // unloaded|running → running: `next` runs. Returns the version it
  // replaced (null on a first load).
  std::shared_ptr<Version> commit(std::shared_ptr<Version> next);
  // running → running + parked. Returns the version it displaces, if one
  // was already parked: the caller discards it.
  std::shared_ptr<Version> park(std::shared_ptr<Version> next);
  // running + parked → running: hands the parked version to the caller.
  std::shared_ptr<Version> unpark();
  // The attempt failed after reading the module's file as `read`.
  void fail(const loader::FileSnapshot& read);
  // The attempt failed before reading the file (its compile failed). A
  // failure that read the file stays remembered as it was.
  void fail_unread();
  // An attempt prepared a version: the last failure is forgotten.
  void forget_failure();
  // After the first successful load's bookkeeping: lookups may see it.
  void mark_loaded();
  // → stopped: returns the running version (may be null) for the caller to
  // unload, and the parked one is the caller's to discard first.
  std::shared_ptr<Version> stop();

  // Gone from disk at the last scan. Returns the previous value.
  bool set_vanished(bool gone) { return vanished_.exchange(gone); }
  bool vanished() const { return vanished_.load(); }

 private:
  enum class Failure { none, read, unread };
  [[noreturn]] void illegal(const char* transition, const char* state) const;

  std::string module_;  // for the messages of illegal transitions
  std::shared_ptr<Version> running_;
  std::shared_ptr<Version> parked_;
  Failure failure_ = Failure::none;
  loader::FileSnapshot failed_read_;  // identity only; meaningful when failure_ == read
  bool stopped_ = false;
  std::atomic<bool> loaded_{false};
  std::atomic<bool> vanished_{false};
};

}  // namespace hotmod::registry
