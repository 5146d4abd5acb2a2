#include "runtime/transaction_host.hpp"

#include "runtime/runtime_impl.hpp"
#include "runtime/runtime_imports.hpp"

namespace hotmod::runtime {

log::RuntimeLog& TransactionHost::log() {
  return rt_.log;
}

events::LocalEventBus& TransactionHost::bus() {
  return rt_.bus;
}

bool TransactionHost::dev_mode() const {
  return rt_.dev_mode.load();
}

const RuntimeOptions::Limits& TransactionHost::limits() const {
  return rt_.options.limits;
}

loader::VersionStore& TransactionHost::store() {
  return rt_.store;
}

bool TransactionHost::capability_granted(std::string_view module,
                                         std::string_view capability) const {
  return rt_.capability_granted(module, capability);
}

std::string TransactionHost::capability_refusal(std::string_view module,
                                                std::string_view capability) const {
  return rt_.capability_refusal(module, capability);
}

const Value* TransactionHost::config_for(const std::string& module) const {
  return rt_.config_for(module);
}

void TransactionHost::retire(registry::Slot& slot, std::shared_ptr<registry::Version> v,
                             std::vector<registry::StateBox> garbage) {
  rt_.retire(slot, std::move(v), std::move(garbage));
}

std::optional<Error> TransactionHost::quarantined(std::string_view module, std::uint64_t hash) {
  return rt_.quarantined(module, hash);
}

void TransactionHost::keep_for_rollback(registry::Slot& slot,
                                        const std::shared_ptr<registry::Version>& old) {
  rt_.keep_for_rollback(slot, old);
}

Result<Module> TransactionHost::import(std::string_view importer, std::uint64_t generation,
                                       std::string_view module) {
  return recorded_import<Module>(rt_, importer, generation, module,
                                 [&] { return rt_.module(module); });
}

Result<std::shared_ptr<const hotmod::detail::InterfaceCell>> TransactionHost::import_interface(
    std::string_view importer, std::uint64_t generation, std::string_view module,
    std::string_view interface) {
  return recorded_import<std::shared_ptr<const hotmod::detail::InterfaceCell>>(
      rt_, importer, generation, module, [&] { return rt_.interface(module, interface); });
}

Result<Module> TransactionHost::module(std::string_view name) {
  return rt_.module(name);
}

std::shared_ptr<registry::Slot> TransactionHost::find(std::string_view name) {
  Error missing;
  return rt_.find(name, &missing);
}

}  // namespace hotmod::runtime
