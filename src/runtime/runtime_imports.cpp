#include "runtime/runtime_imports.hpp"

#include <fmt/format.h>

#include <optional>
#include <shared_mutex>

#include "contain/contain.hpp"
#include "diag/heap_accounting.hpp"
#include "diag/module_entry.hpp"
#include "diag/stack_trace.hpp"
#include "reload/thread_frame.hpp"

namespace hotmod::runtime {
namespace {

// A registered module by name, without rescanning: these names come from
// the import graph, so they were found before.
std::shared_ptr<registry::Slot> lookup(runtime::Core& rt, std::string_view name) {
  std::shared_lock lock(rt.registry_mu);
  auto it = rt.slots.find(name);
  return it == rt.slots.end() ? nullptr : it->second;
}

// Runs the dependent's hook, if its running version has one; nullopt when
// there was nothing to call, else the exception's message ("" when none).
std::optional<std::string> run_hook(runtime::Core& rt, registry::Slot& slot,
                                    std::string_view dependency) {
  std::lock_guard lock(slot.mu);
  if (!slot.life.running()) return std::nullopt;  // never loaded, or its load failed
  registry::Version& v = *slot.life.running();
  if (v.def->on_dependency_reloaded == nullptr) return std::nullopt;
  reload::DependencyHookScope marked;
  contain::Deadline deadline(rt.options.limits.hook, "on_dependency_reloaded",
                             "limits.hook_s in hotmod.json");
  std::optional<diag::Escaped> escaped = diag::enter_module(
      slot.heap(), [&] { v.def->on_dependency_reloaded(*v.context, dependency); });
  if (!escaped) return std::string();
  std::string what = std::move(escaped->what);
  if (what.empty()) what = "an exception with an empty message";
  const std::string trace = std::move(escaped->trace);
  rt.log.error(fmt::format(
      "module '{0}' on_dependency_reloaded('{1}') threw: {2}; the module keeps running, fix its "
      "hook and reload '{0}'{3}{4}",
      slot.name(), dependency, what, trace.empty() ? "" : "\n", trace));
  return what;
}

}  // namespace

Error import_cycle_error(std::string_view importer, std::string_view imported,
                         const std::string& cycle) {
  return Error{Stage::import, Failure::import_cycle,
               fmt::format("module '{}' cannot import '{}': import cycle {} (each imports the "
                           "next); move what they share into a module of its own that each of "
                           "them imports, or have one side publish events on ctx.bus() instead "
                           "of importing the other",
                           importer, imported, cycle)};
}

void settle_imports(runtime::Core& rt, const std::string& module) {
  std::shared_ptr<registry::Slot> slot = lookup(rt, module);
  if (!slot) return;
  std::lock_guard lock(slot->mu);  // no transaction of it runs meanwhile
  rt.imports.settle(module, slot->life.running() ? slot->life.running()->generation : 0);
}

void notify_dependents(runtime::Core& rt, const std::string& module) {
  for (const std::string& name : rt.imports.dependents_in_order(module)) {
    std::shared_ptr<registry::Slot> slot = lookup(rt, name);
    if (!slot) continue;
    std::optional<std::string> error = run_hook(rt, *slot, module);
    if (!error) continue;
    // Published with no lock held: subscribers may call back into the runtime.
    Value payload = {{"name", name}, {"dependency", module}, {"success", error->empty()}};
    if (error->empty())
      rt.log.debug(fmt::format("told module '{}' that '{}' was reloaded", name, module));
    else
      payload["error"] = *error;
    rt.bus.publish("module.dependency_notified", payload);
  }
}

}  // namespace hotmod::runtime
