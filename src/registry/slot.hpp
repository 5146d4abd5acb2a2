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
#include <vector>

#include "diag/heap_accounting.hpp"
#include "hotmod/handle.hpp"
#include "hotmod/ref.hpp"
#include "hotmod/reload_stats.hpp"
#include "hotmod/value.hpp"
#include "registry/lifecycle.hpp"
#include "registry/slot_record.hpp"
#include "registry/state_box.hpp"
#include "registry/version.hpp"

namespace hotmod::registry {

class Slot final : public ModuleLink, public std::enable_shared_from_this<Slot> {
  // First: `life` below is made from the name.
  std::string name_;
  ModuleKind kind_;
  // Found on first use: most modules discovered are never loaded, and a
  // rescan of a thousand spent a tenth of its time registering them.
  mutable std::atomic<diag::HeapCell*> heap_{nullptr};

 public:
  Slot(std::string name, ModuleKind kind, std::filesystem::path file)
      : name_(std::move(name)), kind_(kind), path_(std::move(file)) {}

  const std::string& name() const override { return name_; }
  ModuleKind kind() const { return kind_; }
  // Where heap bytes its code allocates are counted (dev mode).
  diag::HeapCell* heap() const {
    diag::HeapCell* cell = heap_.load(std::memory_order_acquire);
    if (cell == nullptr) {  // a race stores the same cell: one per name
      cell = diag::heap_cell(name_);
      heap_.store(cell, std::memory_order_release);
    }
    return cell;
  }
  Result<Value> call(std::string_view function, const Value& args) override;

  // The module's file. Behind its own leaf lock, not `mu`: rescans update it
  // while hooks (which hold `mu`) may be running.
  std::filesystem::path path() const {
    std::lock_guard lock(path_mu_);
    return path_;
  }
  // The same as path() == p, without copying the path (a rescan asks each module).
  bool path_is(const std::filesystem::path& p) const {
    std::lock_guard lock(path_mu_);
    return path_.native() == p.native();
  }
  void set_path(std::filesystem::path p) {
    std::lock_guard lock(path_mu_);
    path_ = std::move(p);
  }

  std::mutex mu;
  // Which version runs, which waits for a safe point, what failed last.
  // Guarded by mu (see lifecycle.hpp for what is read without it).
  Lifecycle life{name_};
  // What calls reach: the running version, or during a commit the one
  // being started. Read without locks inside a pin; written under mu.
  std::atomic<Version*> current{nullptr};
  StateBox state;  // guarded by mu
  std::map<std::string, std::shared_ptr<hotmod::detail::InterfaceCell>, std::less<>>
      cells;                                          // guarded by mu
  std::chrono::system_clock::time_point load_time{};  // guarded by mu
  std::atomic<std::uint64_t> reload_count{0};
  std::atomic<std::size_t> lingering{0};
  std::atomic<std::uint64_t> load_order{0};

  // Source modules: the shared object prepare() loads (from the build
  // cache) and the key of the build the running version came from. Guarded by mu.
  std::filesystem::path artifact;
  std::string build_key;
  // Sources and headers of the last successful build: an edit to any of
  // them rebuilds the module. Read by the watcher's threads, so behind a
  // leaf lock.
  std::vector<std::filesystem::path> build_inputs() const {
    std::lock_guard lock(path_mu_);
    return inputs_;
  }
  void set_build_inputs(std::vector<std::filesystem::path> inputs) {
    std::lock_guard lock(path_mu_);
    inputs_ = std::move(inputs);
  }

  // Timings and the last failure; `record_mu` is a leaf lock.
  mutable std::mutex record_mu;
  SlotRecord record;  // guarded by record_mu

  // The version the running one replaced, kept on disk (its versioned copy)
  // so that a crash of the running version can roll back to it. Only the
  // last one is kept. Guarded by mu.
  struct Fallback {
    std::filesystem::path copy;
    bool in_place = false;  // the build cache's file: never deleted here
    std::string version;
    std::uint64_t generation = 0;
    std::string build_key;             // source modules: the build it came from
    std::weak_ptr<Version> unloading;  // alive until the reaper has unloaded it
  };
  std::optional<Fallback> fallback;
  // Set while a crashed version is rolled back: prepare() reads this file
  // instead of the module's, and the crashed version is not kept as a
  // fallback. Guarded by mu.
  std::filesystem::path rollback_from;

  // Script modules: the module's interpreter, shared by its versions;
  // created by its first load. Guarded by mu.
  std::shared_ptr<script::ScriptModule> lua;

  // Gone from disk and never loaded: lookups no longer see it.
  bool hidden() const { return life.vanished() && !life.ever_loaded(); }

 private:
  mutable std::mutex path_mu_;
  std::filesystem::path path_;
  std::vector<std::filesystem::path> inputs_;  // guarded by path_mu_
};

}  // namespace hotmod::registry
