// One loaded generation of a module: an opened image of its file (a
// versioned copy, or a source module's build where the cache keeps it),
// what the module registered, and the interface objects it published.
// Immutable once prepared, except the context's per-hook flags.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "hotmod/module.hpp"
#include "loader/elf_inspect.hpp"
#include "loader/file_snapshot.hpp"
#include "loader/image.hpp"
#include "registry/backend.hpp"
#include "registry/version_context.hpp"

namespace hotmod::registry {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct Version {
  std::uint64_t generation = 0;
  std::string module;
  loader::FileSnapshot source;  // identity of the file it came from (bytes dropped)
  std::filesystem::path copy;   // the file its image was opened from
  // Opened where the build cache keeps it: the cache's file, never deleted here.
  bool in_place = false;
  // Its copy stays on disk after it unloads: it is the slot's fallback.
  // Set before the version is retired, cleared when it stops being the
  // fallback; the reaper reads it after the grace period.
  std::atomic<bool> keep_copy{false};
  loader::ElfSummary elf;
  loader::OpenImage image;
  detail::ModuleDef* def = nullptr;
  std::string version;
  std::string description;
  std::vector<std::string> capabilities;
  std::vector<FunctionDef> function_list;  // in the order the module gave them
  // name -> its entry in function_list, which does not change once filled
  std::unordered_map<std::string, const FunctionDef*, StringHash, std::equal_to<>> functions;
  // interface name -> the object published for it
  std::vector<std::pair<std::string, void*>> instances;
  std::unique_ptr<VersionContext> context;
  // Script modules: no image, and a definition the runtime fills
  // (functions, no state, no native hooks) so the rest of the transaction
  // reads scripts like libraries.
  std::unique_ptr<detail::ModuleDef> script_def;
  // Calls, hooks, rollback and release for its kind. After `image` and
  // `script_def`: it goes first.
  std::unique_ptr<Backend> backend;

  // The interfaces its module registered, in the module's order.
  std::vector<const detail::InterfaceDef*> interface_defs() const {
    std::vector<const detail::InterfaceDef*> out;
    if (def == nullptr) return out;
    for (const detail::InterfaceDef* i = def->interfaces; i != nullptr; i = i->next)
      out.push_back(i);
    std::reverse(out.begin(), out.end());  // the list is newest first
    return out;
  }

  void* instance(std::string_view interface) const {
    for (const auto& [name, p] : instances)
      if (name == interface) return p;
    return nullptr;
  }
};

// A new generation number: process-wide, so versioned copies of runtimes
// sharing a folder never collide, and subscriptions a version made are
// told apart from its successor's.
std::uint64_t next_generation();

}  // namespace hotmod::registry
