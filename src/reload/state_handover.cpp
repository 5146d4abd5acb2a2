#include "reload/state_handover.hpp"

namespace hotmod::reload {
namespace {

std::string layout(const detail::StateDef& d) {
  return d.type + " (size " + std::to_string(d.size) + ", align " + std::to_string(d.align) +
         ", schema " + std::to_string(d.schema) + ")";
}

}  // namespace

namespace {

bool hand_over_unguarded(const log::RuntimeLog& log, const std::string& module,
                         const registry::StateBox& current, const detail::ModuleDef& next,
                         Handover* h, loader::Fault* f);

}  // namespace

bool hand_over(const log::RuntimeLog& log, const std::string& module,
               const registry::StateBox& current, const detail::ModuleDef& next, Handover* h,
               loader::Fault* f) {
  // The module's constructors (default or copy) may throw anything.
  std::string why;
  try {
    return hand_over_unguarded(log, module, current, next, h, f);
  } catch (const std::exception& e) {
    why = e.what();
  } catch (...) {
    why = "an exception that is not a std::exception";
  }
  if (h->next.data != current.data) h->next.destroy();  // never the kept object
  h->snapshot.destroy();
  *h = Handover{};
  *f = loader::fault(
      Stage::state, Failure::constructor_threw,
      "module '" + module + "': constructing its state " + next.state.type + " threw: " + why);
  return false;
}

namespace {

bool hand_over_unguarded(const log::RuntimeLog& log, const std::string& module,
                         const registry::StateBox& current, const detail::ModuleDef& next,
                         Handover* h, loader::Fault* f) {
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
    log.warn("state of module '" + module + "' changed layout from " + layout(current.def) +
             " to " + layout(want) +
             " and the module has no HOTMOD_MIGRATE hook: state reset to its default");
    return true;
  }
  const OldState old{current.def.type, current.def.size, current.def.align, current.def.schema,
                     current.data};
  try {
    next.migrate(old, h->next.data);
    h->restored = true;
    log.info("state of module '" + module + "' migrated from " + layout(current.def) + " to " +
             layout(want));
    return true;
  } catch (const std::exception& e) {
    *f = loader::fault(Stage::state, Failure::migration_failed,
                       "module '" + module + "': migrating state from " + layout(current.def) +
                           " threw: " + e.what());
  } catch (...) {
    *f = loader::fault(Stage::state, Failure::migration_failed,
                       "module '" + module + "': the state migration threw a non-std::exception");
  }
  h->next.destroy();
  return false;
}

}  // namespace
}  // namespace hotmod::reload
