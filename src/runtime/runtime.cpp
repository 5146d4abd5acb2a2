#include "hotmod/runtime.hpp"

#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <unordered_set>

#include "compile/source_builder.hpp"
#include "contain/contain.hpp"
#include "contain/exception_holds.hpp"
#include "diag/heap_accounting.hpp"
#include "diag/module_entry.hpp"
#include "diag/stack_trace.hpp"
#include "pin/pin_domain.hpp"
#include "registry/discovery.hpp"
#include "reload/prepare.hpp"
#include "runtime/auto_reload.hpp"
#include "runtime/crash_response.hpp"
#include "runtime/runtime_impl.hpp"
#include "script/script_module.hpp"
#include "text/suggest.hpp"

namespace hotmod {

bool import_cycle(const registry::Slot& slot, std::string* chain);

namespace {
// How long a file must stay untouched before refresh() reads it: linkers
// write their output in pieces.
constexpr std::chrono::milliseconds kSettleTime{100};
}  // namespace

detail::RuntimeCore::RuntimeCore(RuntimeOptions opts)
    : born_in_pid(::getpid()),
      options(std::move(opts)),
      log(options.log_sink, options.log_level),
      bus(
          [this](std::string_view topic, std::string_view what) {
            log.error(fmt::format("a subscriber to '{}' threw: {}", topic, what));
          },
          [this](std::string_view topic, std::string_view why) {
            log.warn(fmt::format("a subscription to '{}' was refused: {}", topic, why));
          }),
      store(options.versions_dir) {
  dev_mode.store(options.dev_mode);
  hot_reload.store(options.hot_reload);
  log.set_locations(options.dev_mode);
  for (const std::string& w : options.config_warnings) log.warn(w);
  if (loader::VersionStore::Cleanup c = store.remove_stale(); !c.problem.empty())
    log.warn(
        fmt::format("not looking for leftovers of earlier processes: {}; modules will not "
                    "load until versions_dir names a folder of your own",
                    c.problem));
  else if (c.removed > 0)
    log.info(fmt::format("removed versioned copies left by {} earlier process(es) in {}", c.removed,
                         store.root().string()));
  if (!options.trace_file.empty()) {
    if (auto opened = trace.open(options.trace_file); opened.ok())
      log.info(fmt::format("tracing builds, loads and reloads to {}", opened->string()));
    else
      log.warn(fmt::format("{}; continuing without a trace", opened.error().message));
  }
  crash_responder = std::make_unique<runtime::CrashResponder>(*this);
  // Any reload, rollback or unload may close an image an exception thrown
  // from it still needs, in production mode too.
  contain::track_exceptions();
  rescan();
  apply_mode();
}

detail::RuntimeCore::~RuntimeCore() {
  crash_responder.reset();  // no rollback starts while modules go
  {
    // No reload may start while modules go. Joined outside mode_mu: the
    // worker may be calling watching() or waiting in a callback.
    std::shared_ptr<runtime::AutoReloader> reloader;
    std::vector<std::shared_ptr<runtime::AutoReloader>> stopped;
    {
      std::lock_guard lock(mode_mu);
      reloader = std::move(auto_reloader);
      stopped.swap(stopped_reloaders);
      if (holds_traces) diag::release_traces();
      holds_traces = false;
      if (holds_heap) diag::release_heap_tracking();
      holds_heap = false;
    }
  }
  // Unload in reverse load order, so a module goes before those it imported.
  std::vector<std::shared_ptr<registry::Slot>> loaded;
  for (const auto& [name, slot] : slots) loaded.push_back(slot);
  std::sort(loaded.begin(), loaded.end(),
            [](const auto& a, const auto& b) { return a->load_order > b->load_order; });
  for (const auto& slot : loaded) {
    std::lock_guard lock(slot->mu);
    if (slot->life.parked()) reload::discard(*slot->life.unpark());
    std::shared_ptr<registry::Version> running = slot->life.stop();
    if (!running) continue;
    slot->current.store(nullptr, std::memory_order_release);
    for (auto& [name, cell] : slot->cells) cell->impl.store(nullptr, std::memory_order_release);
    auto& v = *running;
    std::optional<Error> failed;
    contain::Deadline deadline(
        v.image.handle != nullptr ? options.limits.hook : std::chrono::seconds(0), "on_unload",
        "limits.hook_s in hotmod.json");
    if (auto escaped = diag::enter_module(slot->heap(), [&] {
          failed = v.backend->run_hook(registry::Backend::Hook::unload, *v.context);
        }))
      log.warn(
          fmt::format("module '{}' on_unload threw at shutdown: {}", slot->name(), escaped->what));
    else if (failed)
      log.warn(fmt::format("module '{}' on_unload failed at shutdown: {}", slot->name(),
                           failed->message));
    bus.remove_owner(v.generation);
    std::vector<registry::StateBox> garbage;
    if (!slot->state.empty()) garbage.push_back(slot->state);
    slot->state = {};
    drop_fallback(*slot);
    retire(*slot, std::move(running), std::move(garbage));
    unshow(*slot);
  }
  reaper.finish();                // not for ever: a call that never returns keeps its version
  contain::untrack_exceptions();  // nothing of ours is closed from here on
  // Script interpreters close now, while the runtime their callbacks reach
  // is whole: closing runs pending __gc finalizers, which may log or call.
  // A host still holding a Module handle keeps only the slot.
  for (const auto& [name, slot] : slots) {
    std::shared_ptr<script::ScriptModule> lua;
    {
      std::lock_guard lock(slot->mu);
      lua = std::move(slot->lua);
    }
    {
      std::lock_guard lock(slot->record_mu);
      slot->record.lua.reset();
    }
    lua.reset();
  }
  if (trace.active()) trace.close();
  store.release();  // the folder goes when no other runtime holds it
  std::lock_guard lock(mode_mu);
  if (holds_containment) contain::release();  // after the last on_unload
  holds_containment = false;
}

// Never holds registry_mu while taking a slot's lock: a module's hooks run
// with its lock held and may look other modules up (imports).
void runtime::Core::rescan() {
  const auto scan_start = std::chrono::steady_clock::now();
  registry::DiscoveryResult found = registry::discover(options.module_paths);
  record_scan(scan_start, std::chrono::steady_clock::now() - scan_start);
  for (const auto& w : found.warnings) log.warn(w);
  std::vector<std::pair<std::shared_ptr<registry::Slot>, const registry::Discovered*>> existing;
  std::vector<std::shared_ptr<registry::Slot>> missing;
  std::vector<std::pair<std::string, std::string>> discovered;
  {
    std::unique_lock lock(registry_mu);
    std::unordered_set<std::string_view> present;
    present.reserve(found.modules.size());
    for (auto& d : found.modules) {
      present.insert(d.name);
      auto it = slots.lower_bound(d.name);
      if (it == slots.end() || it->first != d.name) {
        if (scanned_once) discovered.emplace_back(d.name, d.path.string());
        // The path moves: copying one copies each of its components.
        slots.emplace_hint(it, d.name,
                           std::make_shared<registry::Slot>(d.name, d.kind, std::move(d.path)));
      } else {
        existing.emplace_back(it->second, &d);
      }
    }
    for (const auto& [name, slot] : slots)
      if (!present.contains(name)) missing.push_back(slot);
    scanned_once = true;
  }
  // No slot lock here: a module's hooks hold theirs and may trigger a rescan.
  std::vector<std::pair<std::string, std::string>> vanished;
  for (auto& [slot, d] : existing) {
    if (slot->life.set_vanished(false) && !slot->life.ever_loaded())
      discovered.emplace_back(d->name, d->path.string());  // it came back
    if (!slot->path_is(d->path)) {
      log.info(fmt::format("module '{}' now comes from '{}'", d->name, d->path.string()));
      slot->set_path(d->path);
    }
  }
  for (auto& slot : missing) {
    if (slot->life.set_vanished(true)) continue;
    vanished.emplace_back(slot->name(), slot->path().string());
    if (slot->life.ever_loaded())  // a loaded module keeps running: nothing is lost
      log.warn(fmt::format("module '{}' vanished from disk; its loaded version keeps running",
                           slot->name()));
  }
  std::lock_guard lock(unreported_mu);
  unreported_discovered.insert(unreported_discovered.end(), discovered.begin(), discovered.end());
  unreported_vanished.insert(unreported_vanished.end(), vanished.begin(), vanished.end());
}

std::shared_ptr<registry::Slot> runtime::Core::find(std::string_view name, Error* error) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    {
      std::shared_lock lock(registry_mu);
      auto it = slots.find(name);
      if (it != slots.end() && !it->second->hidden()) return it->second;
    }
    if (attempt == 0) rescan();  // maybe it was added since the last scan
  }
  std::vector<std::string> known;
  {
    std::shared_lock lock(registry_mu);
    for (const auto& [n, s] : slots)
      if (!s->hidden()) known.push_back(n);
  }
  std::string paths;
  for (const auto& p : options.module_paths) paths += (paths.empty() ? "" : ", ") + p.string();
  std::string hint = text::did_you_mean(name, known);
  *error = Error{Stage::load, Failure::unknown_module,
                 fmt::format("no module named '{}' in the module paths ({}){}", name,
                             paths.empty() ? "none configured" : paths,
                             hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint))};
  return nullptr;
}

Result<Module> runtime::Core::module(std::string_view name) {
  Error error;
  std::shared_ptr<registry::Slot> slot = find(name, &error);
  if (!slot) return error;
  if (slot->life.ever_loaded()) return Module(slot);
  std::string chain;
  if (import_cycle(*slot, &chain))
    return Error{Stage::import, Failure::import_cycle,
                 fmt::format("import cycle: {}; break the cycle by moving shared code into "
                             "a module both import",
                             chain)};
  ReloadStats stats;
  {
    std::lock_guard lock(slot->mu);
    stats = ensure_loaded_locked(*slot);
  }
  deliver_notices();
  if (!stats.success) return Error{stats.stage, stats.failure, stats.error, stats.diagnostics};
  return Module(slot);
}

Result<std::shared_ptr<const hotmod::detail::InterfaceCell>> runtime::Core::interface(
    std::string_view name, std::string_view iface) {
  Result<Module> m = module(name);
  if (!m.ok()) return m.error();
  Error error;
  std::shared_ptr<registry::Slot> slot = find(name, &error);
  if (!slot) return error;
  std::string chain;
  if (import_cycle(*slot, &chain))  // its hooks are running on this thread, holding its lock
    return Error{Stage::import, Failure::import_cycle,
                 fmt::format("import cycle: {}; a module cannot import itself (or a module "
                             "importing it) from its own hooks",
                             chain)};
  std::lock_guard lock(slot->mu);
  if (auto it = slot->cells.find(iface); it != slot->cells.end())
    return std::shared_ptr<const hotmod::detail::InterfaceCell>(it->second);
  const std::shared_ptr<registry::Version>& running = slot->life.running();
  if (!running)
    return Error{Stage::load, Failure::not_loaded,
                 fmt::format("module '{}' is not loaded", slot->name())};
  void* impl = running->instance(iface);
  if (impl == nullptr) {
    std::string offered;
    for (const auto& [n, p] : running->instances) offered += (offered.empty() ? "" : ", ") + n;
    return Error{Stage::validate, Failure::missing_interface,
                 fmt::format("module '{}' does not implement interface '{}'; it implements: {}",
                             slot->name(), iface, offered.empty() ? "none" : offered)};
  }
  auto cell = std::make_shared<hotmod::detail::InterfaceCell>();
  cell->impl.store(impl);
  cell->domain = &pin::domain();
  cell->module = slot->name();
  cell->interface = std::string(iface);
  slot->cells.emplace(std::string(iface), cell);
  return std::shared_ptr<const hotmod::detail::InterfaceCell>(cell);
}

const Value* runtime::Core::config_for(const std::string& module) const {
  static const Value kNone;
  auto it = options.module_config.find(module);
  return it == options.module_config.end() ? &kNone : &it->second;
}

bool runtime::Core::capability_granted(std::string_view module, std::string_view capability) const {
  auto grants = [&](const std::vector<std::string>& list) {
    return std::any_of(list.begin(), list.end(),
                       [&](const std::string& c) { return c == "*" || c == capability; });
  };
  if (grants(options.capabilities)) return true;
  auto it = options.module_capabilities.find(module);
  return it != options.module_capabilities.end() && grants(it->second);
}

std::string runtime::Core::capability_refusal(std::string_view module,
                                              std::string_view capability) const {
  return fmt::format(
      "module '{0}' needs capability '{1}', not granted; grant it in hotmod.json: "
      "\"capabilities\": {{\"{0}\": [\"{1}\"]}} (or RuntimeOptions::module_capabilities)",
      module, capability);
}

std::optional<Error> runtime::Core::refuse_if_forked(std::string_view what) const {
  if (!forked()) return std::nullopt;
  return Error{Stage::load, Failure::forked, runtime::fork_refusal(what, born_in_pid)};
}

ReloadStats runtime::failed_stats(std::string_view module, Error e) {
  ReloadStats s;
  s.module = std::string(module);
  s.stage = e.stage;
  s.failure = e.failure;
  s.error = std::move(e.message);
  return s;
}

// ---- the public API ----------------------------------------------------

Runtime::Runtime(RuntimeOptions options)
    : impl_(std::make_unique<runtime::Core>(std::move(options))) {}

Runtime::~Runtime() {
  // In a fork()ed child the runtime's threads are not there to join, and
  // their locks may be held for good: it is left as it is, for the child's
  // exit or exec to take (its modules stay mapped, its folders are the
  // parent's).
  if (impl_->forked()) {
    runtime::Core* core = impl_.release();
    runtime::keep_forever(std::shared_ptr<void>(core, [](void*) {}));
  }
}

bool Runtime::capability_granted(std::string_view module, std::string_view capability) const {
  return impl_->capability_granted(module, capability);
}

EventBus& Runtime::bus() {
  return impl_->bus;
}

Result<Module> Runtime::module(std::string_view name) {
  if (auto e = impl_->refuse_if_forked(fmt::format("look up module '{}'", name))) return *e;
  return impl_->module(name);
}

Result<std::shared_ptr<const hotmod::detail::InterfaceCell>> Runtime::interface(
    std::string_view module, std::string_view interface) {
  if (auto e = impl_->refuse_if_forked(fmt::format("look up module '{}'", module))) return *e;
  return impl_->interface(module, interface);
}

ReloadStats Runtime::reload(std::string_view name) {
  if (auto e = impl_->refuse_if_forked(fmt::format("reload module '{}'", name)))
    return runtime::failed_stats(name, std::move(*e));
  Error error;
  std::shared_ptr<registry::Slot> slot = impl_->find(name, &error);
  if (!slot)
    return runtime::failed_stats(
        name, Error{Stage::load, Failure::unknown_module, std::move(error.message)});
  ReloadStats stats = impl_->build_and_reload(*slot);
  impl_->deliver_notices();
  return stats;
}

std::vector<ReloadStats> Runtime::reload_all() {
  if (auto e = impl_->refuse_if_forked("reload modules"))
    return {runtime::failed_stats("", std::move(*e))};
  std::map<std::string, std::shared_ptr<registry::Slot>, std::less<>> all;
  {
    std::shared_lock lock(impl_->registry_mu);
    all = impl_->slots;
  }
  std::vector<std::string> names;
  for (const auto& [n, s] : all) names.push_back(n);
  std::vector<ReloadStats> out;
  // Imports first: a module's new on_load then imports new versions only.
  for (const std::string& name : impl_->imports.reload_order(names)) {
    const std::shared_ptr<registry::Slot>& slot = all.at(name);
    {
      std::lock_guard lock(slot->mu);
      if (slot->life.running()) out.push_back(impl_->reload_locked(*slot));
    }
    impl_->deliver_notices();
  }
  return out;
}

void runtime::Core::announce_discovery(RefreshReport& report) {
  std::vector<std::pair<std::string, std::string>> discovered, vanished;
  {
    std::lock_guard lock(unreported_mu);
    discovered.swap(unreported_discovered);
    vanished.swap(unreported_vanished);
  }
  for (const auto& [name, path] : discovered) {
    report.discovered.push_back(name);
    log.debug(fmt::format("discovered module '{}' at '{}'", name, path));
    bus.publish("module.discovered", {{"name", name}, {"path", path}});
  }
  for (const auto& [name, path] : vanished) {
    report.vanished.push_back(name);
    bus.publish("module.vanished", {{"name", name}, {"path", path}});
  }
}

RefreshReport Runtime::refresh() {
  RefreshReport report;
  if (auto e = impl_->refuse_if_forked("refresh modules")) {
    report.reloaded.push_back(runtime::failed_stats("", std::move(*e)));
    return report;
  }
  impl_->rescan();
  impl_->announce_discovery(report);
  std::vector<std::shared_ptr<registry::Slot>> all;
  {
    std::shared_lock lock(impl_->registry_mu);
    for (const auto& [n, s] : impl_->slots) all.push_back(s);
  }
  for (const auto& slot : all) {
    if (slot->kind() == ModuleKind::source) {  // the build cache decides what changed
      if (!slot->life.ever_loaded() || slot->life.vanished()) continue;
      if (std::optional<ReloadStats> s = impl_->reload_source_changed(*slot, nullptr))
        report.reloaded.push_back(std::move(*s));
      impl_->deliver_notices();
      continue;
    }
    std::unique_lock lock(slot->mu);
    if (!slot->life.running() || slot->life.vanished()) continue;
    const std::filesystem::path file = slot->path();
    if (!slot->life.file_changed(file)) continue;
    if (!loader::file_settled(file, kSettleTime)) {  // a writer may be mid-way
      report.unsettled.push_back(slot->name());
      continue;
    }
    report.reloaded.push_back(impl_->reload_locked(*slot));
    lock.unlock();
    impl_->deliver_notices();
  }
  return report;
}

std::vector<ReloadStats> Runtime::apply_pending() {
  if (auto e = impl_->refuse_if_forked("apply pending reloads"))
    return {runtime::failed_stats("", std::move(*e))};
  std::vector<std::shared_ptr<registry::Slot>> ready;  // prepared versions, in order
  {
    std::lock_guard lock(impl_->pending_mu);
    ready.swap(impl_->pending);
  }
  std::vector<ReloadStats> out;
  for (const auto& slot : ready) {
    {
      std::lock_guard lock(slot->mu);
      if (slot->life.parked()) out.push_back(impl_->commit_pending_locked(*slot));
    }
    impl_->deliver_notices();
  }
  return out;
}

std::uint64_t Runtime::on_reload(ReloadCallback callback) {
  return impl_->callbacks.add(std::move(callback));
}

void Runtime::remove_on_reload(std::uint64_t id) {
  impl_->callbacks.remove(id);
}

void Runtime::set_dev_mode(bool on) {
  if (auto e = impl_->refuse_if_forked("switch dev mode")) {
    runtime::say_in_child(e->message);
    return;
  }
  impl_->dev_mode.store(on);
  impl_->log.set_locations(on);
  if (on && impl_->log.level() > LogLevel::debug) impl_->log.set_level(LogLevel::debug);
  if (!on) impl_->log.set_level(impl_->options.log_level);
  impl_->log.info(on ? "dev mode on" : "dev mode off (production)");
  impl_->apply_mode();
}

bool Runtime::dev_mode() const {
  return impl_->dev_mode.load();
}

void Runtime::set_hot_reload(bool on) {
  if (auto e = impl_->refuse_if_forked("switch hot reload")) {
    runtime::say_in_child(e->message);
    return;
  }
  impl_->hot_reload.store(on);
  impl_->apply_mode();
}

bool Runtime::hot_reload() const {
  return impl_->hot_reload.load();
}

std::optional<WatchBackend> Runtime::watching() const {
  std::lock_guard lock(impl_->watching_mu);
  return impl_->watching;
}

bool Runtime::sync(std::chrono::milliseconds limit) {
  if (impl_->forked()) return false;  // no watcher in this process
  std::shared_ptr<runtime::AutoReloader> reloader;
  {
    std::lock_guard lock(impl_->mode_mu);
    reloader = impl_->auto_reloader;
  }
  return reloader != nullptr && reloader->sync(limit);  // waits with no runtime lock held
}

void Runtime::wait_for_unloads() {
  if (impl_->forked()) return;  // the reaper stayed in the parent
  impl_->reaper.wait_idle();
}

}  // namespace hotmod
