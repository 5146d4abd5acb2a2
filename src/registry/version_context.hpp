// The Context (and Logger) one version of a module receives in its hooks, as
// the registry holds it. The reload transaction makes the concrete one
// (reload/module_context.hpp) and sets, before each hook, what the hook may
// ask: the reload count and whether the state was carried over.
#pragma once

#include <cstdint>

#include "hotmod/context.hpp"
#include "hotmod/module.hpp"
#include "hotmod/value.hpp"

namespace hotmod::registry {

class VersionContext : public Context, public Logger {
 public:
  virtual ~VersionContext() = default;
  // The definition whose state_data() the context hands out.
  virtual void set_definition(detail::ModuleDef* def) = 0;
  // Set by the reload transaction before each hook runs.
  virtual void set_hook_facts(std::uint64_t reload_count, bool state_restored) = 0;
};

}  // namespace hotmod::registry
