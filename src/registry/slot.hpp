// A module's place in the registry: its name and file, the current version,
// its persistent state and the interface cells hosts hold.
//
// Thread-safety: `current` is read without locks by calls (inside a pin);
// everything marked "guarded by mu" is changed only with `mu` held, which
// serialises loading, reloading and committing this module.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "hotmod/handle.hpp"
#include "hotmod/ref.hpp"
#include "hotmod/runtime.hpp"
#include "registry/state_box.hpp"
#include "registry/version.hpp"

namespace hotmod::registry {

class Slot final : public ModuleLink, public std::enable_shared_from_this<Slot> {
 public:
  Slot(std::string name, ModuleKind kind, std::filesystem::path file)
      : path(std::move(file)), name_(std::move(name)), kind_(kind) {}

  const std::string& name() const override { return name_; }
  ModuleKind kind() const { return kind_; }
  Result<Value> call(std::string_view function, const Value& args) override;

  std::mutex mu;
  std::filesystem::path path;  // guarded by mu
  std::atomic<Version*> current{nullptr};
  std::shared_ptr<Version> owner;    // guarded by mu: keeps *current alive
  std::shared_ptr<Version> pending;  // guarded by mu: safe_point, prepared
  StateBox state;                    // guarded by mu
  // The file as the last failed attempt read it: refresh() does not retry
  // until the file changes again. Guarded by mu.
  std::optional<loader::FileSnapshot> failed_source;
  std::map<std::string, std::shared_ptr<InterfaceCell>, std::less<>> cells;  // guarded by mu
  std::chrono::system_clock::time_point load_time{};                         // guarded by mu
  std::atomic<std::uint64_t> reload_count{0};
  std::atomic<std::size_t> lingering{0};
  std::uint64_t load_order = 0;       // guarded by mu
  std::atomic<bool> vanished{false};  // changed with mu held

  // Gone from disk and never loaded: lookups no longer see it.
  bool hidden() const { return vanished.load() && current.load() == nullptr; }

 private:
  std::string name_;
  ModuleKind kind_;
};

}  // namespace hotmod::registry
