// One loaded generation of a module: an opened versioned copy of its file,
// what the module registered, and the interface objects it published.
// Immutable once prepared, except the context's per-hook flags.
#pragma once

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
#include "registry/version_context.hpp"

namespace hotmod::script {
class ScriptModule;
struct ScriptVersion;
}  // namespace hotmod::script

namespace hotmod::registry {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct Version {
  std::uint64_t generation = 0;
  std::string module;
  loader::FileSnapshot source;  // identity of the file it came from (bytes dropped)
  std::filesystem::path copy;
  loader::ElfSummary elf;
  loader::OpenImage image;
  detail::ModuleDef* def = nullptr;
  std::string version;
  std::string description;
  std::vector<std::string> capabilities;
  std::unordered_map<std::string, const detail::FunctionDef*, StringHash, std::equal_to<>>
      functions;
  // interface name -> the object published for it
  std::vector<std::pair<std::string, void*>> instances;
  std::unique_ptr<VersionContext> context;
  // Script modules: no image. The chunk's exports in the module's
  // interpreter, and a definition the runtime fills (functions, no state,
  // no native hooks) so the rest of the transaction reads scripts like
  // libraries.
  std::shared_ptr<script::ScriptModule> script;
  std::shared_ptr<script::ScriptVersion> script_version;
  std::unique_ptr<detail::ModuleDef> script_def;

  void* instance(std::string_view interface) const {
    for (const auto& [name, p] : instances)
      if (name == interface) return p;
    return nullptr;
  }
  ~Version();  // out of line: releases a script's exports
};

// A new generation number: process-wide, so versioned copies of runtimes
// sharing a folder never collide, and subscriptions a version made are
// told apart from its successor's.
std::uint64_t next_generation();

}  // namespace hotmod::registry
