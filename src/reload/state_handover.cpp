#include "reload/state_handover.hpp"

#include <fmt/format.h>

#include "diag/module_entry.hpp"

namespace hotmod::reload {
namespace {

std::string layout(const detail::StateDef& d) {
  return fmt::format("{} (size {}, align {}, schema {})", d.type, d.size, d.align, d.schema);
}

}  // namespace

namespace {

bool hand_over_unguarded(const log::RuntimeLog& log, const std::string& module,
                         const registry::StateBox& current, const detail::ModuleDef& next,
                         Handover* h, Error* f);

}  // namespace

bool hand_over(const log::RuntimeLog& log, const std::string& module,
               const registry::StateBox& current, const detail::ModuleDef& next, Handover* h,
               Error* f) {
  // The module's constructors (default or copy) may throw anything.
  bool ok = false;
  std::optional<diag::Escaped> escaped = diag::enter_module(
      diag::heap_cell(module), [&] { ok = hand_over_unguarded(log, module, current, next, h, f); });
  if (!escaped) return ok;
  const std::string why = escaped->what;
  if (h->next.data != current.data) h->next.destroy();  // never the kept object
  h->snapshot.destroy();
  *h = Handover{};
  *f = Error{
      Stage::state, escaped->failure_or(Failure::constructor_threw),
      fmt::format("module '{}': constructing its state {} threw: {}", module, next.state.type, why),
      escaped->trace};
  return false;
}

namespace {

bool hand_over_unguarded(const log::RuntimeLog& log, const std::string& module,
                         const registry::StateBox& current, const detail::ModuleDef& next,
                         Handover* h, Error* f) {
  const detail::StateDef& want = next.state;
  if (want.size == 0) {  // the new version keeps no state
    h->replaced = !current.empty();
    return true;
  }
  if (current.empty()) {
    h->next = registry::StateBox::construct(want);
    h->replaced = true;
    return true;
  }
  if (current.def.fingerprint == want.fingerprint) {
    h->snapshot = registry::StateBox::copy_of(current);
    h->next.data = current.data;
    h->next.def = want;  // from now on the new image destroys it
    h->restored = true;
    return true;
  }
  h->next = registry::StateBox::construct(want);
  h->replaced = true;
  if (next.migrate == nullptr) {
    log.warn(fmt::format(
        "state of module '{}' changed layout from {} to {} and the module has no HOTMOD_MIGRATE "
        "hook: state reset to its default",
        module, layout(current.def), layout(want)));
    return true;
  }
  const OldState old{std::string(current.def.type), current.def.size, current.def.align,
                     current.def.schema, current.data};
  std::optional<diag::Escaped> escaped =
      diag::enter_module(diag::heap_cell(module), [&] { next.migrate(old, h->next.data); });
  if (!escaped) {
    h->restored = true;
    log.info(fmt::format("state of module '{}' migrated from {} to {}", module, layout(current.def),
                         layout(want)));
    return true;
  }
  *f = Error{Stage::state, escaped->failure_or(Failure::migration_failed),
             fmt::format("module '{}': migrating state from {} threw: {}", module,
                         layout(current.def), escaped->what),
             escaped->trace};
  h->next.destroy();
  return false;
}

}  // namespace
}  // namespace hotmod::reload
