// Source modules in the runtime: compiling (or finding in the cache) before
// a load, deciding whether an edit changed anything, and building ahead of
// time for `hotmod build`.
#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>

#include "compile/diagnostics.hpp"
#include "compile/source_builder.hpp"
#include "reload/transaction.hpp"
#include "runtime/runtime_impl.hpp"

namespace hotmod {
namespace {

// Compiler colour only where a person reads the log: the default sink on a terminal.
bool colour_wanted(const RuntimeOptions& o) {
  return !o.log_sink && ::isatty(STDERR_FILENO) == 1;
}

// `on_save`: the module is rebuilt when saved (not so for Runtime::build).
void record(ReloadStats& stats, compile::BuildResult& b, bool kept, bool on_save) {
  stats.success = false;
  stats.stage = Stage::build;
  stats.failure = b.failure == Failure::none ? Failure::build_failed : b.failure;
  stats.error = b.error + (kept ? "; the running version is kept" : "");
  if (on_save && !b.cancelled && b.failure == Failure::build_failed && !b.output.empty())
    stats.error += "; fix the error and save again";
  stats.diagnostics = compile::strip_ansi(b.output);
  stats.messages = std::move(b.messages);
}

}  // namespace

compile::SourceBuilder& runtime::Core::source_builder() {
  std::call_once(builder_once, [this] {
    builder = std::make_unique<compile::SourceBuilder>(
        options.cxx, [this](LogLevel level, std::string m) { log.write(level, m, nullptr, 0); },
        options.limits.compile);
  });
  return *builder;
}

runtime::Core::SourceBuild runtime::Core::compile_source_locked(registry::Slot& slot,
                                                                ReloadStats& stats,
                                                                const std::atomic<bool>* cancel) {
  compile::BuildResult b = source_builder().build(slot.name(), slot.path(), dev_mode.load(), cancel,
                                                  colour_wanted(options));
  stats.stages.build += b.duration;
  if (b.ok) {
    slot.artifact = b.artifact;
    slot.set_build_inputs(b.inputs);
    source_inputs_changes.fetch_add(1);
    if (b.compiled)
      log.debug(
          fmt::format("compiled module '{}' in {} ms", slot.name(),
                      std::chrono::duration_cast<std::chrono::milliseconds>(b.duration).count()));
    return b.key == slot.build_key && slot.life.running() && !slot.life.failed()
               ? SourceBuild::unchanged
               : SourceBuild::ready;
  }
  if (b.cancelled) {
    log.debug(
        fmt::format("compiling module '{}' stopped: a newer edit supersedes it", slot.name()));
    return SourceBuild::cancelled;
  }
  if (!b.inputs.empty()) {  // the files the compiler named join what the watcher follows
    std::vector<std::filesystem::path> inputs = slot.build_inputs();
    for (const auto& f : b.inputs)
      if (std::find(inputs.begin(), inputs.end(), f) == inputs.end()) inputs.push_back(f);
    slot.set_build_inputs(std::move(inputs));
    source_inputs_changes.fetch_add(1);
  }
  record(stats, b, slot.life.running() != nullptr, dev_mode.load() && hot_reload.load());
  // The compiler's own words, colour and all, for whoever watches the log.
  if (!b.output.empty())
    log.error(fmt::format("compiler output for module '{}':\n{}", slot.name(), b.output));
  return SourceBuild::failed;
}

std::optional<ReloadStats> runtime::Core::reload_source_changed(registry::Slot& slot,
                                                                const std::atomic<bool>* cancel) {
  std::lock_guard lock(slot.mu);
  if (!slot.life.attempted()) return std::nullopt;
  ReloadStats stats;
  switch (compile_source_locked(slot, stats, cancel)) {
    case SourceBuild::cancelled:
      return std::nullopt;
    case SourceBuild::unchanged:
      log.debug(fmt::format("module '{}' is unchanged: nothing to reload", slot.name()));
      return std::nullopt;
    case SourceBuild::failed:
      stats.duration = stats.stages.build;
      return finish(
          reload::Transaction(host, slot)
              .failed_before_prepare(reload::Transaction::Before::compile, std::move(stats)),
          slot);
    case SourceBuild::ready:
      break;
  }
  return reload_locked(slot, stats.stages.build, /*built=*/true);
}

ReloadStats Runtime::build(std::string_view name) {
  if (auto e = impl_->refuse_if_forked(fmt::format("build module '{}'", name)))
    return runtime::failed_stats(name, std::move(*e));
  ReloadStats stats;
  stats.module = std::string(name);
  stats.stage = Stage::build;
  Error error;
  std::shared_ptr<registry::Slot> slot = impl_->find(name, &error);
  if (!slot) {
    stats.failure = Failure::unknown_module;
    stats.error = error.message;
    return stats;
  }
  stats.kind = slot->kind();
  if (slot->kind() != ModuleKind::source) {
    stats.failure = Failure::build_failed;
    stats.error = fmt::format(
        "module '{}' is a {} module ('{}'); hotmod compiles only source modules (.cpp files "
        "and folders holding hotmod.module)",
        slot->name(), to_string(slot->kind()), slot->path().string());
    return stats;
  }
  compile::BuildResult b = impl_->source_builder().build(slot->name(), slot->path(), true, nullptr,
                                                         colour_wanted(impl_->options));
  stats.duration = b.duration;
  stats.stages.build = b.compiled ? b.duration : std::chrono::nanoseconds{0};
  if (b.ok) {
    stats.success = true;
    stats.stage = Stage::none;
    return stats;
  }
  record(stats, b, false, false);
  return stats;
}

}  // namespace hotmod
