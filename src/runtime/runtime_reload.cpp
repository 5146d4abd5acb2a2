// Loading and reloading one module: runs the transaction, then reports the
// outcome everywhere it is wanted — ReloadStats, events, callbacks, the log.
#include <fmt/format.h>

#include <chrono>

#include "loader/file_snapshot.hpp"
#include "pin/pin_domain.hpp"
#include "process/run.hpp"
#include "reload/commit.hpp"
#include "reload/prepare.hpp"
#include "reload/thread_frame.hpp"
#include "runtime/runtime_impl.hpp"
#include "runtime/runtime_imports.hpp"
#include "text/duration.hpp"

namespace hotmod {
namespace {

using Clock = std::chrono::steady_clock;

// "1.23 ms (copy 0.07, open 0.05, ...)": where a reload's time went.
// Dev mode adds the stages; production logs the total only.
std::string timing(const ReloadStats& s, bool detailed) {
  using text::to_ms;
  const StageTimes& t = s.stages;
  if (!detailed) return fmt::format("{:.2f} ms", to_ms(s.duration));
  const std::string build =
      t.build.count() > 0 ? fmt::format("build {:.2f}, ", to_ms(t.build)) : std::string();
  return fmt::format(
      "{:.2f} ms ({}copy {:.2f}, open {:.2f}, validate {:.2f}, state {:.2f}, hooks {:.2f}, "
      "swap {:.2f})",
      to_ms(s.duration), build, to_ms(t.copy), to_ms(t.open), to_ms(t.validate), to_ms(t.state),
      to_ms(t.hooks), to_ms(t.swap));
}

void record(ReloadStats& s, const Error& f) {
  s.success = false;
  s.stage = f.stage;
  s.failure = f.failure;
  s.error = f.message;
  s.diagnostics = f.diagnostics;
}

}  // namespace

bool import_cycle(const registry::Slot& slot, std::string* chain) {
  bool found = false;
  for (const registry::Slot* s : reload::this_thread_frame().loading) {
    if (s == &slot) found = true;
    if (found) *chain += s->name() + " -> ";
  }
  *chain += slot.name();
  return found;
}

ReloadStats runtime::Core::ensure_loaded_locked(registry::Slot& slot) {
  if (slot.owner) {
    ReloadStats s;
    s.module = slot.name();
    s.success = true;
    s.version = slot.owner->version;
    return s;
  }
  return reload_locked(slot);
}

ReloadStats runtime::Core::reload_locked(registry::Slot& slot, std::chrono::nanoseconds build_time,
                                         bool built) {
  const bool first = slot.owner == nullptr;
  ReloadStats stats;
  stats.module = slot.name();
  stats.first_load = first;
  stats.stages.build = build_time;
  const auto start = Clock::now() - build_time;
  reload::LoadingScope scope(slot);
  if (slot.kind() == ModuleKind::source && !built &&
      compile_source_locked(slot, stats, nullptr) == SourceBuild::failed) {
    stats.duration = Clock::now() - start;
    finish(stats, slot, first);
    return stats;
  }
  Error fault;
  loader::FileSnapshot attempted;
  std::shared_ptr<registry::Version> next =
      reload::prepare(host, slot, stats.stages, &fault, &attempted);
  slot.failed_source.reset();
  if (!next) slot.failed_source = std::move(attempted);
  // The cache names a build's artifact after its key (objects/<key>.so).
  if (next && slot.kind() == ModuleKind::source) slot.build_key = slot.artifact.stem().string();
  if (next && !first && options.commit == CommitPolicy::safe_point) {
    if (slot.pending)
      reload::discard(*slot.pending);
    else {
      std::lock_guard lock(pending_mu);
      pending.push_back(slot.shared_from_this());
    }
    slot.pending = std::move(next);
    stats.success = true;
    stats.pending = true;
    stats.version = slot.pending->version;
    stats.duration = Clock::now() - start;
    return stats;
  }
  std::optional<loader::FileSnapshot> tried;
  if (next) tried = next->source;
  stats.success = next && reload::commit(host, slot, std::move(next), stats.stages, &fault);
  if (stats.success) {
    slot.load_time = std::chrono::system_clock::now();
  } else {
    record(stats, fault);
    // A version that failed to start (on_load threw, ...) is not retried
    // until its file changes again, like one that failed to open.
    if (tried) slot.failed_source = std::move(tried);
  }
  stats.duration = Clock::now() - start;
  finish(stats, slot, first);
  return stats;
}

ReloadStats runtime::Core::commit_pending_locked(registry::Slot& slot) {
  ReloadStats stats;
  stats.module = slot.name();
  if (!slot.pending) {
    stats.success = true;
    return stats;
  }
  const auto start = Clock::now();
  reload::LoadingScope scope(slot);
  Error fault;
  stats.success = reload::commit(host, slot, std::move(slot.pending), stats.stages, &fault);
  slot.pending = nullptr;
  if (stats.success)
    slot.load_time = std::chrono::system_clock::now();
  else
    record(stats, fault);
  stats.duration = Clock::now() - start;
  finish(stats, slot, false);
  return stats;
}

void runtime::Core::finish(ReloadStats& stats, registry::Slot& slot, bool first_load) {
  const char* kind = to_string(slot.kind()).data();
  record_attempt(stats, slot, first_load);
  if (stats.success) {
    if (!first_load) slot.reload_count.fetch_add(1);
    if (first_load) {
      slot.load_order = next_load_order.fetch_add(1);
      slot.loaded.store(true, std::memory_order_release);
    }
    if (!stats.pending) show_locked(slot);
    stats.version = slot.owner->version;
    stats.reload_count = slot.reload_count.load();
    if (first_load) {
      log.debug("loaded module '" + slot.name() + "' " + stats.version + " in " +
                timing(stats, dev_mode.load()));
      reload::this_thread_frame().outbox.push_back({"module.loaded",
                                                    {{"name", slot.name()},
                                                     {"version", stats.version},
                                                     {"kind", kind},
                                                     {"path", slot.path().string()},
                                                     {"duration_ms", text::to_ms(stats.duration)}},
                                                    stats});
    } else {
      log.info("reloaded module '" + slot.name() + "' " + stats.version + " in " +
               timing(stats, dev_mode.load()));
      reload::this_thread_frame().outbox.push_back({"module.reloaded",
                                                    {{"name", slot.name()},
                                                     {"version", stats.version},
                                                     {"kind", kind},
                                                     {"duration_ms", text::to_ms(stats.duration)},
                                                     {"reload_count", stats.reload_count}},
                                                    stats});
    }
  } else {
    if (slot.owner) stats.version = slot.owner->version;
    stats.reload_count = slot.reload_count.load();
    log.error((first_load ? "loading module '" : "reloading module '") + slot.name() +
              "' failed at stage " + std::string(to_string(stats.stage)) + ": " + stats.error);
    reload::this_thread_frame().outbox.push_back({"module.reload_failed",
                                                  {{"name", slot.name()},
                                                   {"stage", to_string(stats.stage)},
                                                   {"failure", to_string(stats.failure)},
                                                   {"error", stats.error},
                                                   {"diagnostics", stats.diagnostics}},
                                                  stats});
  }
}

std::optional<ReloadStats> runtime::Core::run_build(registry::Slot& slot,
                                                    std::chrono::nanoseconds* took,
                                                    const std::atomic<bool>* cancel) {
  auto rule = options.builds.find(slot.name());
  if (rule == options.builds.end() || !dev_mode.load()) return std::nullopt;
  process::Outcome run;
  {
    std::lock_guard one_at_a_time(build_mu);
    log.info("building module '" + slot.name() + "': " + rule->second.command);
    run = process::run(process::shell(rule->second.command, rule->second.directory), cancel);
  }
  *took = run.duration;
  if (run.ok()) {
    if (!run.output.empty()) log.debug("build output of '" + slot.name() + "':\n" + run.output);
    return std::nullopt;
  }
  ReloadStats stats;
  stats.module = slot.name();
  stats.stage = Stage::build;
  stats.failure = Failure::build_failed;
  stats.stages.build = run.duration;
  stats.duration = run.duration;
  const std::string kept = slot.loaded.load() ? "; the running version is kept" : "";
  if (!run.started)
    stats.error = "cannot build module '" + slot.name() + "': " + run.error + kept +
                  "; check modules." + slot.name() + ".build in the configuration";
  else
    stats.error = "build of module '" + slot.name() + "' failed (" + run.describe() + ")" + kept +
                  (run.cancelled ? "" : "; fix the error shown and save again");
  stats.diagnostics = run.output;
  if (!run.output.empty()) log.error("build output of '" + slot.name() + "':\n" + run.output);
  std::lock_guard lock(slot.mu);
  finish(stats, slot, slot.owner == nullptr);
  return stats;
}

ReloadStats runtime::Core::build_and_reload(registry::Slot& slot) {
  std::chrono::nanoseconds took{0};
  if (std::optional<ReloadStats> failed = run_build(slot, &took)) return *failed;
  std::lock_guard lock(slot.mu);
  return reload_locked(slot, took);
}

void runtime::Core::reload_changed(registry::Slot& slot, bool build,
                                   const std::atomic<bool>* cancel) {
  if (slot.kind() == ModuleKind::source) {
    reload_source_changed(slot, cancel);
    return;
  }
  {
    std::lock_guard lock(slot.mu);
    if (!slot.owner && !slot.failed_source) {
      log.debug("module '" + slot.name() + "' changed but was never loaded: nothing to reload");
      return;
    }
  }
  std::chrono::nanoseconds took{0};
  if (build && run_build(slot, &took, cancel)) return;
  std::lock_guard lock(slot.mu);
  if (!slot.owner && !slot.failed_source) return;
  const loader::FileSnapshot& seen = slot.last_read();
  if (!loader::file_changed(slot.path(), seen)) {
    if (build)
      log.warn("module '" + slot.name() + "' built, but '" + slot.path().string() +
               "' did not change; does '" + options.builds.at(slot.name()).command +
               "' write that file?");
    return;
  }
  reload_locked(slot, took);
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
  r.done = [this, keep, version, generation](bool unloaded, const std::string& why) {
    Value payload = {{"name", keep->name()},
                     {"version", version},
                     {"generation", generation},
                     {"unloaded", unloaded}};
    if (!unloaded) {
      keep->lingering.fetch_add(1);
      const std::string warning = "module '" + keep->name() + "' (version " + version +
                                  ") stayed in memory after unloading: " + why;
      log.warn(warning);
      payload["warning"] = warning;
    }
    bus.publish("module.unloaded", payload);
  };
  reaper.retire(std::move(r));
}

}  // namespace hotmod
