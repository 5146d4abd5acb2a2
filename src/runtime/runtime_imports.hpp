// Imports between modules: recording who imports whom as Context::import
// runs, keeping each module's imports those of its running version, and
// telling dependents that a module they import was reloaded.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/core_fwd.hpp"
#include "runtime/runtime_impl.hpp"

namespace hotmod::runtime {

// Why `importer` may not import `imported`: it would close `cycle`.
Error import_cycle_error(std::string_view importer, std::string_view imported,
                         const std::string& cycle);

// Runs `load` (the import itself) with the edge importer -> imported
// recorded first, before `imported` is loaded or locked, so that two modules
// importing each other from two threads get an error instead of a deadlock.
// A cycle is refused without running `load`; an edge recorded only for an
// import that then failed is dropped again.
template <class T, class Load>
Result<T> recorded_import(runtime::Core& rt, std::string_view importer, std::uint64_t version,
                          std::string_view imported, Load load) {
  registry::ImportGraph::Added edge = rt.imports.add_edge(importer, imported, version);
  if (!edge.ok) return import_cycle_error(importer, imported, edge.cycle);
  Result<T> result = load();
  if (!result.ok() && edge.fresh) rt.imports.remove_edge(importer, imported, version);
  return result;
}

// After a load or reload attempt of `module`: its imports become those of
// the version now running (none when it is not loaded). Takes its lock.
void settle_imports(runtime::Core& rt, const std::string& module);

// After `module` reloaded: calls on_dependency_reloaded(ctx, module) of each
// loaded module importing it, directly or not, in
// ImportGraph::dependents_in_order, each under its own lock. Call with no
// module lock held. A hook that throws is logged; the others still run.
void notify_dependents(runtime::Core& rt, const std::string& module);

}  // namespace hotmod::runtime
