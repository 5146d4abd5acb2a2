// Loading and reloading one module: runs the transaction, then reports the
// outcome everywhere it is wanted — ReloadStats, events, callbacks, the log.
#include <fmt/format.h>

#include <chrono>

#include "loader/file_snapshot.hpp"
#include "pin/pin_domain.hpp"
#include "process/run.hpp"
#include "reload/thread_frame.hpp"
#include "reload/transaction.hpp"
#include "runtime/runtime_impl.hpp"
#include "runtime/runtime_imports.hpp"
#include "text/duration.hpp"

namespace hotmod {

bool import_cycle(const registry::Slot& slot, std::string* chain) {
  bool found = false;
  for (const registry::Slot* s : reload::this_thread_frame().loading) {
    if (s == &slot) found = true;
    if (found) *chain += fmt::format("{} -> ", s->name());
  }
  *chain += slot.name();
  return found;
}

ReloadStats runtime::Core::ensure_loaded_locked(registry::Slot& slot) {
  if (const auto& running = slot.life.running()) {
    ReloadStats s;
    s.module = slot.name();
    s.kind = slot.kind();
    s.success = true;
    s.version = running->version;
    return s;
  }
  return reload_locked(slot);
}

ReloadStats runtime::Core::reload_locked(registry::Slot& slot, std::chrono::nanoseconds build_time,
                                         bool built, reload::FileState file) {
  reload::Transaction transaction(host, slot);
  if (slot.kind() == ModuleKind::source && !built) {
    const auto start = std::chrono::steady_clock::now();
    ReloadStats stats;
    const SourceBuild b = compile_source_locked(slot, stats, nullptr);
    const std::chrono::nanoseconds rule_time = build_time;  // a build rule's, if one ran
    // The compiler driver's own time is the build stage, as in every other path.
    build_time += stats.stages.build;
    if (b == SourceBuild::failed) {
      stats.stages.build = build_time;
      stats.duration = rule_time + (std::chrono::steady_clock::now() - start);
      return finish(
          transaction.failed_before_prepare(reload::Transaction::Before::compile, std::move(stats)),
          slot);
    }
  }
  // A rollback goes in at once, whatever the policy: the version it
  // replaces has crashed.
  const bool rollback = !slot.rollback_from.empty();
  reload::Outcome o =
      transaction.run(rollback ? CommitPolicy::immediate : options.commit, build_time, file);
  // The cache names a build's artifact after its key (objects/<key>.so).
  if (o.stats.success && slot.kind() == ModuleKind::source && !rollback)
    slot.build_key = slot.artifact.stem().string();
  return finish(std::move(o), slot);
}

ReloadStats runtime::Core::commit_pending_locked(registry::Slot& slot) {
  return finish(reload::Transaction(host, slot).commit_parked(), slot);
}

ReloadStats runtime::Core::finish(reload::Outcome o, registry::Slot& slot) {
  if (o.newly_parked) {
    std::lock_guard lock(pending_mu);
    pending.push_back(slot.shared_from_this());
  }
  // Parked: measured when it commits. Deferred: nothing was attempted.
  if (o.stats.pending || o.deferred) return std::move(o.stats);
  record_attempt(o.stats, slot, o.stats.first_load);
  if (o.stats.success && o.stats.first_load) {
    slot.load_order = next_load_order.fetch_add(1);
    slot.life.mark_loaded();
  }
  if (o.stats.success) show_locked(slot);
  return std::move(o.stats);
}

std::optional<ReloadStats> runtime::Core::run_build(registry::Slot& slot,
                                                    std::chrono::nanoseconds* took,
                                                    const std::atomic<bool>* cancel) {
  auto rule = options.builds.find(slot.name());
  if (rule == options.builds.end() || !dev_mode.load()) return std::nullopt;
  process::Outcome run;
  {
    std::lock_guard one_at_a_time(build_mu);
    log.info(fmt::format("building module '{}': {}", slot.name(), rule->second.command));
    run = process::run(process::shell(rule->second.command, rule->second.directory), cancel,
                       options.limits.build);
  }
  *took = run.duration;
  if (run.ok()) {
    if (!run.output.empty())
      log.debug(fmt::format("build output of '{}':\n{}", slot.name(), run.output));
    return std::nullopt;
  }
  ReloadStats stats;
  stats.stage = Stage::build;
  stats.failure = run.timed_out ? Failure::timed_out : Failure::build_failed;
  stats.stages.build = run.duration;
  stats.duration = run.duration;
  const std::string kept = slot.life.ever_loaded() ? "; the running version is kept" : "";
  if (!run.started)
    stats.error = fmt::format(
        "cannot build module '{0}': {1}{2}; check modules.{0}.build in the configuration",
        slot.name(), run.error, kept);
  else if (run.timed_out)
    stats.error = fmt::format(
        "build of module '{}' {}{}; raise limits.build_s in hotmod.json if it needs longer",
        slot.name(), run.describe(), kept);
  else
    stats.error = fmt::format("build of module '{}' failed ({}){}{}", slot.name(), run.describe(),
                              kept, run.cancelled ? "" : "; fix the error shown and save again");
  stats.diagnostics = run.output;
  if (!run.output.empty())
    log.error(fmt::format("build output of '{}':\n{}", slot.name(), run.output));
  std::lock_guard lock(slot.mu);
  return finish(
      reload::Transaction(host, slot)
          .failed_before_prepare(reload::Transaction::Before::build_rule, std::move(stats)),
      slot);
}

ReloadStats runtime::Core::build_and_reload(registry::Slot& slot) {
  std::chrono::nanoseconds took{0};
  if (std::optional<ReloadStats> failed = run_build(slot, &took)) return *failed;
  std::lock_guard lock(slot.mu);
  return reload_locked(slot, took);
}

void runtime::Core::reload_changed(registry::Slot& slot, bool build,
                                   const std::atomic<bool>* cancel, reload::FileState file) {
  if (slot.kind() == ModuleKind::source) {
    reload_source_changed(slot, cancel);
    return;
  }
  {
    std::lock_guard lock(slot.mu);
    if (!slot.life.attempted()) {
      log.debug(
          fmt::format("module '{}' changed but was never loaded: nothing to reload", slot.name()));
      return;
    }
  }
  std::chrono::nanoseconds took{0};
  if (build && run_build(slot, &took, cancel)) return;
  std::lock_guard lock(slot.mu);
  if (!slot.life.attempted()) return;
  if (!slot.life.file_changed(slot.path())) {
    if (build)
      log.warn(fmt::format("module '{}' built, but '{}' did not change; does '{}' write that file?",
                           slot.name(), slot.path().string(),
                           options.builds.at(slot.name()).command));
    return;
  }
  reload_locked(slot, took, false, file);
}

void runtime::Core::deliver_notices() {
  // The outermost caller delivers: transactions and on_dependency_reloaded
  // hooks hold a module's lock.
  reload::ThreadFrame& frame = reload::this_thread_frame();
  if (!frame.may_deliver()) return;
  while (!frame.outbox.empty()) {
    std::vector<reload::Notice> batch;
    batch.swap(frame.outbox);
    for (const reload::Notice& n : batch) {
      runtime::settle_imports(*this, n.stats.module);  // before anyone asks info()
      bus.publish(n.topic, n.payload);
      callbacks.call(n.stats);
      if (n.topic == "module.reloaded") runtime::notify_dependents(*this, n.stats.module);
    }
  }
}

void runtime::Core::retire(registry::Slot& slot, std::shared_ptr<registry::Version> v,
                           std::vector<registry::StateBox> garbage) {
  std::shared_ptr<registry::Slot> keep = slot.shared_from_this();
  const std::string version = v->version;
  const std::uint64_t generation = v->generation;
  reload::Retired r;
  r.version = std::move(v);
  r.garbage = std::move(garbage);
  // Its code is guarded a while only where a stale call can be named and
  // contained: with crash containment on.
  r.keep_code = containing.load();
  r.done = [this, keep, version, generation](bool unloaded, bool code_kept,
                                             const std::string& why) {
    Value payload = {{"name", keep->name()},
                     {"version", version},
                     {"generation", generation},
                     {"unloaded", unloaded},
                     {"code_kept", code_kept}};
    if (!unloaded) {
      keep->lingering.fetch_add(1);
      const std::string warning =
          fmt::format("module '{}' (version {}) stayed in memory after unloading: {}", keep->name(),
                      version, why);
      log.warn(warning);
      payload["warning"] = warning;
    }
    bus.publish("module.unloaded", payload);
  };
  r.stayed = [this, keep, version](const std::string& why) {
    keep->lingering.fetch_add(1);
    log.warn(fmt::format("module '{}' (version {}) stayed in memory after unloading: {}",
                         keep->name(), version, why));
  };
  reaper.retire(std::move(r));
}

void runtime::Core::keep_for_rollback(registry::Slot& slot,
                                      const std::shared_ptr<registry::Version>& old) {
  drop_fallback(slot);
  // Rolling back: the version that crashed is not one to go back to. And
  // without containment no crash is survived, so nothing is rolled back.
  if (!slot.rollback_from.empty() || old->copy.empty() || !containing.load()) return;
  old->keep_copy = true;
  slot.fallback = registry::Slot::Fallback{old->copy,       old->in_place,  old->version,
                                           old->generation, slot.build_key, old};
}

void runtime::Core::drop_fallback(registry::Slot& slot) {
  if (!slot.fallback) return;
  if (std::shared_ptr<registry::Version> v = slot.fallback->unloading.lock()) {
    // Still mapped (the reaper has it): the reaper deletes the copy once the
    // image is gone, as for any version.
    v->keep_copy = false;
  } else if (slot.lingering.load() == 0 && !slot.fallback->in_place) {
    // Unloaded. While an image of this module stays mapped its copies stay
    // too — a new copy on a reused inode would be handed that image by
    // dlopen — and the next start removes them.
    store.remove(slot.fallback->copy);
  }
  slot.fallback.reset();
}

std::optional<Error> runtime::Core::quarantined(std::string_view module, std::uint64_t hash) {
  std::optional<runtime::Quarantine::Entry> q = quarantine.find(hash);
  if (!q) return std::nullopt;
  return Error{Stage::validate, Failure::quarantined,
               fmt::format("module '{}' is quarantined: this very file (version {}, content {}) "
                           "crashed at {}: {}. It loads again once it changes: fix the crash and "
                           "build it again, or delete its entry from {}",
                           module, q->version, runtime::hash_text(hash), q->crashed_at, q->why,
                           quarantine.file().empty() ? std::string("the quarantine")
                                                     : quarantine.file().string())};
}

}  // namespace hotmod
