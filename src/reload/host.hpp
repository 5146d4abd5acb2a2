// What the reload transaction needs from the runtime around it, and nothing
// more: the log, the event bus, the store of versioned copies, the
// capability policy, config sections, the reaper, and module lookup for
// imports. The runtime fills it (runtime/transaction_host.hpp); reload/ never
// sees the runtime itself, so the transaction reads — and can be tested — on
// its own.
//
// Thread-safety: every member may be called from any thread, also with a
// module's lock held (the transaction runs under its module's lock).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hotmod/handle.hpp"
#include "hotmod/options.hpp"
#include "hotmod/ref.hpp"
#include "hotmod/value.hpp"
#include "registry/state_box.hpp"

namespace hotmod::events {
class LocalEventBus;
}
namespace hotmod::loader {
class VersionStore;
}
namespace hotmod::log {
class RuntimeLog;
}
namespace hotmod::registry {
class Slot;
struct Version;
}  // namespace hotmod::registry

namespace hotmod::reload {

class Host {
 public:
  virtual ~Host() = default;

  virtual log::RuntimeLog& log() = 0;
  virtual events::LocalEventBus& bus() = 0;
  virtual loader::VersionStore& store() = 0;
  // Dev mode: logs say where a reload's time went, stage by stage.
  virtual bool dev_mode() const = 0;
  // What module code may take before it is stopped (scripts' interpreters).
  virtual const RuntimeOptions::Limits& limits() const = 0;

  // Whether `module` may have `capability`, and the error naming the
  // hotmod.json key that grants it when not.
  virtual bool capability_granted(std::string_view module, std::string_view capability) const = 0;
  virtual std::string capability_refusal(std::string_view module,
                                         std::string_view capability) const = 0;
  // The module's config section (ctx.config()), or null when none was given.
  virtual const Value* config_for(const std::string& module) const = 0;

  // Hands a version that is no longer current, and state it no longer
  // needs, to the reaper: unloaded once no call runs in it.
  virtual void retire(registry::Slot& slot, std::shared_ptr<registry::Version> v,
                      std::vector<registry::StateBox> garbage) = 0;

  // The refusal of a module file that crashed before (content hash `hash`),
  // as Failure::quarantined naming when and how to clear it; nullopt when
  // the file is not quarantined.
  virtual std::optional<Error> quarantined(std::string_view module, std::uint64_t hash) = 0;
  // `old` was just replaced by a new version: keep its copy on disk, so a
  // crash of its successor can roll back to it (Slot::fallback).
  virtual void keep_for_rollback(registry::Slot& slot,
                                 const std::shared_ptr<registry::Version>& old) = 0;

  // `importer`'s version `generation` imports `module` (loading it on first
  // use): recorded in the import graph first, so a cycle is an error, not a
  // deadlock.
  virtual Result<Module> import(std::string_view importer, std::uint64_t generation,
                                std::string_view module) = 0;
  virtual Result<std::shared_ptr<const hotmod::detail::InterfaceCell>> import_interface(
      std::string_view importer, std::uint64_t generation, std::string_view module,
      std::string_view interface) = 0;
  // A module by name, loaded on first use (calls from script code).
  virtual Result<Module> module(std::string_view name) = 0;
  // The slot of a module by name; null when there is none.
  virtual std::shared_ptr<registry::Slot> find(std::string_view name) = 0;
};

}  // namespace hotmod::reload
