// The Context (and Logger) a module version receives in its hooks.
//
// One per version. Subscriptions made through it are tagged with the
// version's generation and removed when the version is replaced or unloaded.
// Methods never take the module's lock: hooks run while it is held.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "registry/version_context.hpp"
#include "reload/host.hpp"

namespace hotmod::reload {

class ModuleContext final : public registry::VersionContext {
 public:
  ModuleContext(Host& host, std::string module, std::uint64_t generation, const Value* config);

  std::string_view module_name() const override { return module_; }
  EventBus& bus() override;
  void subscribe(std::string_view topic, EventCallback callback) override;
  const void* config_data() const override { return config_; }
  Logger& log() override { return *this; }
  std::uint64_t reload_count() const override { return reload_count_.load(); }
  bool state_restored() const override { return state_restored_.load(); }
  Result<Module> import(std::string_view module) override;
  Result<hotmod::detail::CellHandle> import_interface(std::string_view module,
                                                      std::string_view interface) override;
  bool has_capability(std::string_view capability) const override;

  void* state_data() override { return def_ != nullptr ? def_->state_data : nullptr; }
  void log(LogLevel level, std::string_view message) override;
  void set_definition(detail::ModuleDef* def) override { def_ = def; }
  void set_hook_facts(std::uint64_t reload_count, bool state_restored) override {
    reload_count_ = reload_count;
    state_restored_ = state_restored;
  }

 private:
  Host& host_;
  std::string module_;
  std::uint64_t generation_;
  const Value* config_;
  detail::ModuleDef* def_ = nullptr;
  std::atomic<std::uint64_t> reload_count_{0};
  std::atomic<bool> state_restored_{false};
};

}  // namespace hotmod::reload
