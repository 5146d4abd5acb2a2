// Handing persistent state from one version to the next.
//
// Same type name, size, alignment and schema: the object is kept in place
// (a copy is taken first when the type is copyable, so a failed on_load can
// be undone). Anything else is never reinterpreted: a fresh object is
// constructed and the module's HOTMOD_MIGRATE hook, if any, fills it from the
// old bytes; without a hook the state is reset and a warning says so.
#pragma once

#include <string>

#include "hotmod/error.hpp"
#include "hotmod/module.hpp"
#include "hotmod/value.hpp"
#include "log/runtime_log.hpp"
#include "registry/state_box.hpp"

namespace hotmod::reload {

struct Handover {
  registry::StateBox next;      // becomes the slot's state on success
  registry::StateBox snapshot;  // kept-in-place case: the state before hooks ran
  bool replaced = false;        // `next` is a different object from the current one
  bool restored = false;        // the state was carried over (kept or migrated)
};

bool hand_over(const log::RuntimeLog& log, const std::string& module,
               const registry::StateBox& current, const detail::ModuleDef& next, Handover* h,
               Error* f);

}  // namespace hotmod::reload
