// runtime::Core — the registry of module slots and the services shared by
// every reload: options, log, event bus, version store and reaper.
//
// Lock order: a Slot::mu may be held while taking registry_mu (a module's
// hooks run under its lock and may import others), never the reverse. Two
// Slot::mu are held at once only along an import, and the import graph
// refuses any cycle (on one thread or across threads) before locking.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "diag/timing_history.hpp"
#include "diag/trace_writer.hpp"
#include "events/callback_list.hpp"
#include "events/event_bus.hpp"
#include "hotmod/runtime.hpp"
#include "loader/version_store.hpp"
#include "log/runtime_log.hpp"
#include "registry/import_graph.hpp"
#include "registry/slot.hpp"
#include "reload/reaper.hpp"
#include "reload/transaction.hpp"
#include "runtime/core_fwd.hpp"
#include "runtime/forked.hpp"
#include "runtime/quarantine.hpp"
#include "runtime/transaction_host.hpp"

namespace hotmod {
namespace compile {
class SourceBuilder;
}
namespace runtime {
class AutoReloader;
class CrashResponder;
// The stats of an attempt that failed before anything ran: `e` for `module`.
ReloadStats failed_stats(std::string_view module, Error e);
}  // namespace runtime

namespace detail {

// Everything a Runtime's members reach: private to src/runtime/, so the
// public header names only its forward declaration. runtime::Core here.
struct RuntimeCore {
  explicit RuntimeCore(RuntimeOptions opts);
  ~RuntimeCore();

  // In a child of a fork() made after this runtime: the error for `what`,
  // which would wait for threads and locks left in the parent (forked.hpp).
  std::optional<Error> refuse_if_forked(std::string_view what) const;
  bool forked() const {
    return runtime::fork_generation() != born_in_fork || runtime::this_pid() != born_in_pid;
  }
  const std::uint64_t born_in_fork = runtime::fork_generation();
  const int born_in_pid;

  // Finds a slot, rescanning the module paths once for an unknown name.
  std::shared_ptr<registry::Slot> find(std::string_view name, Error* error);
  Result<Module> module(std::string_view name);
  Result<std::shared_ptr<const hotmod::detail::InterfaceCell>> interface(
      std::string_view module, std::string_view interface);
  // Loads the slot's first version unless it has one. Caller holds slot.mu.
  ReloadStats ensure_loaded_locked(registry::Slot& slot);
  // One load or reload attempt with slot.mu held; publishes events, runs
  // on_reload callbacks, logs.
  // `build_time`: a build step that ran just before, counted in the stats.
  // `built`: a source module already compiled for this attempt (slot.artifact set).
  // `file`: what the watcher said of the module's file (reload::FileState).
  ReloadStats reload_locked(registry::Slot& slot, std::chrono::nanoseconds build_time = {},
                            bool built = false,
                            reload::FileState file = reload::FileState::settled);
  // Source modules (runtime_source.cpp). Compiles (or finds in the cache)
  // the module's current sources and points slot.artifact at the result;
  // a failure is recorded in `stats` (not reported). Caller holds slot.mu.
  enum class SourceBuild { ready, unchanged, failed, cancelled };
  SourceBuild compile_source_locked(registry::Slot& slot, ReloadStats& stats,
                                    const std::atomic<bool>* cancel);
  // On an edit to a source module's sources or headers: rebuild, and reload
  // when the build differs from the running one. A cancelled compile (a
  // newer edit follows) reports nothing.
  // Returns the attempt's stats, or nullopt when nothing was attempted.
  std::optional<ReloadStats> reload_source_changed(registry::Slot& slot,
                                                   const std::atomic<bool>* cancel);
  compile::SourceBuilder& source_builder();
  // Runs the module's build rule, if any, without its lock held. Returns
  // the failure (already reported) when the build failed.
  // Builds run one at a time, and only in dev mode (production runs no
  // build tools). `cancel` stops the build (the watcher is stopping).
  std::optional<ReloadStats> run_build(registry::Slot& slot, std::chrono::nanoseconds* took,
                                       const std::atomic<bool>* cancel = nullptr);
  // An explicit reload: build (when the module has a rule), then reload.
  ReloadStats build_and_reload(registry::Slot& slot);
  // On a change seen by the watcher: build first when `build`, then reload
  // if the file differs from the running version (or the last failed one).
  // A module whose first load failed is retried too: the host asked for it.
  void reload_changed(registry::Slot& slot, bool build, const std::atomic<bool>* cancel,
                      reload::FileState file = reload::FileState::settled);
  // Publishes module.discovered / module.vanished for what rescans found.
  void announce_discovery(RefreshReport& report);
  // Starts or stops the watcher to match dev_mode and hot_reload.
  void apply_mode();
  ReloadStats commit_pending_locked(registry::Slot& slot);
  // After a transaction, slot.mu still held: queues a newly parked slot for
  // apply_pending(), records the measurements, lets lookups see a first
  // load and shows the running version to info(). Returns the stats.
  ReloadStats finish(reload::Outcome o, registry::Slot& slot);
  // Delivers what finish() queued on this thread. Call with no slot locked;
  // does nothing while this thread is inside a module's transaction.
  void deliver_notices();
  void retire(registry::Slot& slot, std::shared_ptr<registry::Version> v,
              std::vector<registry::StateBox> garbage);
  // Rollback after a crash (crash_response.hpp). Caller holds slot.mu.
  // `old` was replaced: its copy becomes the slot's fallback (while crashes
  // are contained), and the one kept before goes.
  void keep_for_rollback(registry::Slot& slot, const std::shared_ptr<registry::Version>& old);
  void drop_fallback(registry::Slot& slot);
  // The refusal of a quarantined module file, or nullopt.
  std::optional<Error> quarantined(std::string_view module, std::uint64_t hash);
  // Rediscovers the module paths; what changed waits in unreported_* until
  // refresh() reports it, whoever triggered the scan.
  void rescan();
  // What info() and modules() show (runtime_info.cpp). The running
  // version's facts are copied after each commit, with the slot's lock held,
  // into `shown`; describe() reads them under that leaf lock, so neither
  // waits for a slot's lock, which compiles and hooks hold.
  void show_locked(const registry::Slot& slot);
  void unshow(const registry::Slot& slot);
  ModuleInfo describe(const registry::Slot& slot) const;
  mutable std::mutex shown_mu;                           // leaf
  std::map<std::string, ModuleInfo, std::less<>> shown;  // loaded modules; guarded by shown_mu
  // Measurements (runtime_reports.cpp): the attempt's times in the slot's
  // record and in the trace; a scan's time.
  void record_attempt(const ReloadStats& stats, registry::Slot& slot, bool first_load);
  void record_scan(std::chrono::steady_clock::time_point start, std::chrono::nanoseconds took);
  double slow_threshold_ms(ModuleKind kind) const;
  const Value* config_for(const std::string& module) const;
  bool capability_granted(std::string_view module, std::string_view capability) const;
  // The error for a module refused for lacking `capability`: names the
  // capability and the hotmod.json key that grants it.
  std::string capability_refusal(std::string_view module, std::string_view capability) const;

  RuntimeOptions options;
  // What the reload transaction (reload/) may use of all this.
  runtime::TransactionHost host{*this};
  log::RuntimeLog log;
  events::LocalEventBus bus;
  loader::VersionStore store;
  runtime::Quarantine quarantine{options.state_dir};
  // Told of contained crashes; stopped first when the runtime goes.
  std::unique_ptr<runtime::CrashResponder> crash_responder;

  mutable std::shared_mutex registry_mu;
  std::map<std::string, std::shared_ptr<registry::Slot>, std::less<>> slots;  // guarded
  std::atomic<std::uint64_t> next_load_order{1};
  bool scanned_once = false;  // guarded
  // Who imports whom (runtime/runtime_imports.cpp). Its lock is a leaf.
  registry::ImportGraph imports;

  std::mutex unreported_mu;                                                // innermost
  std::vector<std::pair<std::string, std::string>> unreported_discovered;  // {name, path}
  std::vector<std::pair<std::string, std::string>> unreported_vanished;

  events::CallbackList<const ReloadStats&> callbacks{
      [this](std::string_view what, const ReloadStats&) {
        log.error(std::string("an on_reload callback threw: ").append(what));
      }};

  std::mutex pending_mu;
  std::vector<std::shared_ptr<registry::Slot>> pending;  // safe_point, in order

  std::atomic<bool> dev_mode{false};
  std::atomic<bool> hot_reload{true};
  // Outermost: never held while waiting for the auto-reload worker or a
  // watcher thread (they may call watching(), set_dev_mode() is refused...).
  std::mutex mode_mu;
  std::shared_ptr<runtime::AutoReloader> auto_reloader;  // guarded by mode_mu
  // Stopped from their own worker thread; joined at shutdown.
  std::vector<std::shared_ptr<runtime::AutoReloader>> stopped_reloaders;  // guarded by mode_mu
  bool holds_traces = false;                                              // guarded by mode_mu
  mutable std::mutex watching_mu;                                         // leaf
  std::optional<WatchBackend> watching;                                   // guarded by watching_mu
  std::mutex build_mu;                                                    // one build at a time

  // Bumped whenever a source module's build found its inputs: the watcher
  // follows the folders of the headers they include.
  std::atomic<std::uint64_t> source_inputs_changes{0};
  std::once_flag builder_once;
  std::unique_ptr<compile::SourceBuilder> builder;  // source modules' compiler driver

  mutable std::mutex scans_mu;          // leaf
  diag::TimingHistory scans;            // guarded by scans_mu
  diag::TraceWriter trace;              // thread-safe; open while a trace runs
  bool holds_containment = false;       // guarded by mode_mu: crash containment held
  std::atomic<bool> containing{false};  // the same, read without mode_mu (keep_for_rollback)
  bool holds_heap = false;              // guarded by mode_mu: heap accounting held for dev mode

  // Last: stopped first, while the rest still exists.
  reload::Reaper reaper{
      options.limits.pinned_call, [this](const std::string& report) { log.warn(report); },
      reload::RetiredCode{options.limits.retired_code, options.limits.retired_code_mb << 20}};
};

}  // namespace detail
}  // namespace hotmod
