#include "reload/transaction.hpp"

#include <fmt/format.h>

#include "log/runtime_log.hpp"
#include "reload/commit.hpp"
#include "reload/thread_frame.hpp"
#include "text/duration.hpp"

namespace hotmod::reload {
namespace {

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

ReloadStats started(const registry::Slot& slot) {
  ReloadStats stats;
  stats.module = slot.name();
  stats.kind = slot.kind();
  stats.first_load = slot.life.running() == nullptr;
  return stats;
}

}  // namespace

Outcome Transaction::run(CommitPolicy policy, std::chrono::nanoseconds build_time, FileState file) {
  Outcome o{started(slot_)};
  ReloadStats& stats = o.stats;
  if (slot_.life.stopped()) {  // shutdown unloaded it: nothing loads again
    record(stats, Error{Stage::load, Failure::shutting_down,
                        fmt::format("module '{}' was unloaded: the runtime is shutting down",
                                    slot_.name())});
    return o;
  }
  stats.stages.build = build_time;
  const auto start = world_.now() - build_time;
  LoadingScope scope(slot_);
  Error fault;
  loader::FileSnapshot attempted;
  std::shared_ptr<registry::Version> next =
      world_.prepare(host_, slot_, stats.stages, &fault, &attempted);
  // A file still being written may read as anything — empty, zeros, a
  // header with nothing behind it — and its writer's close is reported
  // next: whatever failed here is judged then.
  if (!next && file == FileState::maybe_being_written) {
    host_.log().debug(
        fmt::format("module '{}': its file is still being written ({}); reloading "
                    "when its writer closes it",
                    slot_.name(), fault.message));
    o.deferred = true;
    return o;
  }
  if (!next) {
    slot_.life.fail(attempted);
    record(stats, fault);
    stats.duration = world_.now() - start;
    conclude(stats);
    return o;
  }
  slot_.life.forget_failure();
  if (!stats.first_load && policy == CommitPolicy::safe_point) {
    const std::string version = next->version;
    if (std::shared_ptr<registry::Version> displaced = slot_.life.park(std::move(next)))
      world_.discard(*displaced);
    else
      o.newly_parked = true;
    stats.success = true;
    stats.pending = true;
    stats.version = version;
    stats.duration = world_.now() - start;
    return o;  // concluded when committed
  }
  loader::FileSnapshot tried = next->source.record();
  stats.success = commit(host_, world_, slot_, std::move(next), stats.stages, &fault);
  if (stats.success) {
    slot_.load_time = std::chrono::system_clock::now();
  } else {
    record(stats, fault);
    // A version that failed to start (on_load threw, ...) is not retried
    // until its file changes again, like one that failed to open.
    slot_.life.fail(tried);
  }
  stats.duration = world_.now() - start;
  conclude(stats);
  return o;
}

Outcome Transaction::commit_parked() {
  Outcome o{started(slot_)};
  ReloadStats& stats = o.stats;
  if (!slot_.life.parked()) {
    stats.success = true;
    return o;
  }
  const auto start = world_.now();
  LoadingScope scope(slot_);
  Error fault;
  stats.success = commit(host_, world_, slot_, slot_.life.unpark(), stats.stages, &fault);
  if (stats.success)
    slot_.load_time = std::chrono::system_clock::now();
  else
    record(stats, fault);
  stats.duration = world_.now() - start;
  conclude(stats);
  return o;
}

Outcome Transaction::failed_before_prepare(Before step, ReloadStats failed) {
  Outcome o{started(slot_)};
  const bool first = o.stats.first_load;
  o.stats = std::move(failed);
  o.stats.module = slot_.name();
  o.stats.kind = slot_.kind();
  o.stats.first_load = first;
  o.stats.success = false;
  if (step == Before::compile) slot_.life.fail_unread();
  conclude(o.stats);
  return o;
}

void Transaction::conclude(ReloadStats& stats) {
  const char* kind = to_string(slot_.kind()).data();
  const bool detailed = host_.dev_mode();
  ThreadFrame& frame = this_thread_frame();
  if (slot_.life.running()) stats.version = slot_.life.running()->version;
  if (stats.success && !stats.first_load) slot_.reload_count.fetch_add(1);
  stats.reload_count = slot_.reload_count.load();
  log::RuntimeLog& log = host_.log();
  if (stats.success) {
    const bool first = stats.first_load;
    const LogLevel level = first ? LogLevel::debug : LogLevel::info;
    if (log.enabled(level))  // the timing line is formatted only for someone who reads it
      log.write(level, fmt::format("{} module '{}' {} in {}", first ? "loaded" : "reloaded",
                                   slot_.name(), stats.version, timing(stats, detailed)));
    Value payload = {{"name", slot_.name()},
                     {"version", stats.version},
                     {"kind", kind},
                     {"duration_ms", text::to_ms(stats.duration)}};
    if (first)
      payload["path"] = slot_.path().string();
    else
      payload["reload_count"] = stats.reload_count;
    frame.outbox.push_back(
        {first ? "module.loaded" : "module.reloaded", std::move(payload), stats});
    return;
  }
  log.error(fmt::format("{} module '{}' failed at stage {}: {}",
                        stats.first_load ? "loading" : "reloading", slot_.name(),
                        to_string(stats.stage), stats.error));
  frame.outbox.push_back({"module.reload_failed",
                          {{"name", slot_.name()},
                           {"stage", to_string(stats.stage)},
                           {"failure", to_string(stats.failure)},
                           {"error", stats.error},
                           {"diagnostics", stats.diagnostics}},
                          stats});
}

}  // namespace hotmod::reload
