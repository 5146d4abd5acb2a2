// The one way into module code. Everything a module's image runs on the
// host's behalf — a call, a hook, a self-test, an interface constructor, a
// state constructor, copy or migration — goes through enter_module(), so
// every entry gets the same guards:
//   - the thread counts as running module code, so an exception thrown in
//     it has its stack captured (dev mode, diag/throw_hook.cpp);
//   - heap allocations are attributed to the module (dev mode);
//   - whatever it throws is caught here and returned, never unwinding into
//     the host;
//   - a crash in it, when contained (contain/contain.hpp), comes back as
//     what escaped, marked `crashed`.
// Pinning the version is the caller's business: a call pins, a hook runs
// under its module's lock with the version owned.
#pragma once

#include <exception>
#include <optional>
#include <string>
#include <utility>

#include "contain/contain.hpp"
#include "diag/heap_accounting.hpp"
#include "diag/stack_trace.hpp"

namespace hotmod::diag {

// What escaped module code.
struct Escaped {
  std::string what;   // the exception's what(), or what kind of thing was thrown
  std::string trace;  // where it was thrown, when captured (dev mode); else ""
  // Failure::crashed for a contained crash (`what` names module, version and
  // signal), Failure::stale_call for a call into a retired version's code,
  // Failure::timed_out for a hook stopped past its deadline; Failure::none
  // for a throw.
  Failure stopped = Failure::none;

  // Why it stopped, else what the caller calls a throw there.
  Failure failure_or(Failure thrown) const { return stopped != Failure::none ? stopped : thrown; }
};

// Runs `fn` as module code whose heap is counted in `cell` (null: nobody's).
// nullopt when it returned; what it threw otherwise.
template <class Fn>
std::optional<Escaped> enter_module(HeapCell* cell, Fn&& fn) {
  contain::Entry entry;
  ModuleCode in_module;
  HeapScope heap(cell);
  try {
    std::forward<Fn>(fn)();
    return std::nullopt;
  } catch (const ModuleCrashed& crash) {
    (void)take_throw_trace();  // the landing's throw, not the module's
    return Escaped{crash.error().message, crash.error().diagnostics, crash.error().failure};
  } catch (const std::exception& e) {
    return Escaped{e.what(), take_throw_trace()};
  } catch (...) {
    return Escaped{"an exception that is not a std::exception", take_throw_trace()};
  }
}

}  // namespace hotmod::diag
