// The runtime's side of reload::Host: what the reload transaction may use of
// the runtime (its log, bus, version store, capability policy, config
// sections, reaper and module lookup), and nothing else.
#pragma once

#include "hotmod/runtime.hpp"
#include "reload/host.hpp"
#include "runtime/core_fwd.hpp"

namespace hotmod::runtime {

class TransactionHost final : public reload::Host {
 public:
  explicit TransactionHost(runtime::Core& rt) : rt_(rt) {}

  log::RuntimeLog& log() override;
  events::LocalEventBus& bus() override;
  loader::VersionStore& store() override;
  bool dev_mode() const override;
  const RuntimeOptions::Limits& limits() const override;
  bool capability_granted(std::string_view module, std::string_view capability) const override;
  std::string capability_refusal(std::string_view module,
                                 std::string_view capability) const override;
  const Value* config_for(const std::string& module) const override;
  void retire(registry::Slot& slot, std::shared_ptr<registry::Version> v,
              std::vector<registry::StateBox> garbage) override;
  std::optional<Error> quarantined(std::string_view module, std::uint64_t hash) override;
  void keep_for_rollback(registry::Slot& slot,
                         const std::shared_ptr<registry::Version>& old) override;
  Result<Module> import(std::string_view importer, std::uint64_t generation,
                        std::string_view module) override;
  Result<std::shared_ptr<const hotmod::detail::InterfaceCell>> import_interface(
      std::string_view importer, std::uint64_t generation, std::string_view module,
      std::string_view interface) override;
  Result<Module> module(std::string_view name) override;
  std::shared_ptr<registry::Slot> find(std::string_view name) override;

 private:
  runtime::Core& rt_;
};

}  // namespace hotmod::runtime
