// The reload transaction of one module, whole:
//
//   prepare   a new version from the module's file (prepare.cpp), while the
//             running one keeps serving untouched
//   park      under CommitPolicy::safe_point, when a version runs: the new
//             one waits in the slot for apply_pending()
//   commit    state hand-over, hooks, swap, and rollback when on_load
//             throws (commit.cpp); the version that lost is retired
//   conclude  the slot's lifecycle says what failed and what runs; the
//             reload is counted, logged, and its notice (module.loaded,
//             module.reloaded or module.reload_failed) queued on this
//             thread's frame
//
// The runtime locks the slot, runs one of these, records the measurements
// and delivers the queued notices once this thread holds no module's lock.
// A transaction sees the runtime only through reload::Host.
#pragma once

#include <chrono>

#include "hotmod/options.hpp"
#include "hotmod/reload_stats.hpp"
#include "registry/slot.hpp"
#include "reload/host.hpp"
#include "reload/world.hpp"

namespace hotmod::reload {

// What the watcher said of the module's file when it reported the change.
enum class FileState {
  settled,  // closed or renamed into place by its writer, or asked for
  // Reported before its writer closed it (watcher.hpp's
  // still_being_written): it may be a linker's output not written yet.
  maybe_being_written,
};

struct Outcome {
  ReloadStats stats;  // stats.first_load: no version ran before
  // The file could not be prepared while it may still be being written:
  // nothing was reported or remembered; its writer's close is reported
  // next, and tries again.
  bool deferred = false;
  // The new version was parked, and the slot had none parked before: the
  // runtime queues the slot for apply_pending().
  bool newly_parked = false;
};

class Transaction {
 public:
  // The caller holds slot.mu for the transaction's lifetime. Versions and
  // time come from `world` (files and the steady clock, unless a test says).
  Transaction(Host& host, registry::Slot& slot, World& world = real_world())
      : host_(host), slot_(slot), world_(world) {}

  // One load or reload attempt from the module's file (a source module's:
  // slot.artifact). `build_time`: a build or compile that ran just before
  // for this attempt, counted in the stats. `file`: see FileState.
  Outcome run(CommitPolicy policy, std::chrono::nanoseconds build_time = {},
              FileState file = FileState::settled);
  // Commits the version parked by a safe_point run().
  Outcome commit_parked();
  // An attempt that failed before there was a file to prepare: `failed`
  // says how; logged and noticed like any other failure. A build rule's
  // failure left the module's file as it was, so the next change to it
  // decides; a compile's failure is remembered, so the next edit retries
  // even a module that never loaded.
  enum class Before { build_rule, compile };
  Outcome failed_before_prepare(Before step, ReloadStats failed);

 private:
  void conclude(ReloadStats& stats);

  Host& host_;
  registry::Slot& slot_;
  World& world_;
};

}  // namespace hotmod::reload
