// Finding modules in the module paths, without opening them.
//
// Naming rule for library files: the path relative to the module folder,
// with "/" turned into "." and the ".so" suffix and a "lib" prefix on the
// file name dropped:
//     physics.so              -> physics
//     libphysics.so           -> physics
//     algorithms/sorting.so   -> algorithms.sorting
//     algorithms/libsort.so   -> algorithms.sort
// Folders and files starting with "." are skipped, and so are versioned
// library names (libfoo.so.1): only files ending in ".so" are modules.
// Source modules (compiled by hotmod) follow the same rule without the
// "lib" prefix rule:
//     physics.cpp             -> physics          (also .cc, .cxx)
//     algorithms/sorting.cpp  -> algorithms.sorting
//     net/                    -> net, when net/hotmod.module exists: every
//                                .cpp/.cc/.cxx below net/ is one module
// A marked folder is not searched for further modules. CMakeFiles folders
// are skipped (CMake's compiler probes are .cpp files).
// When two files give the same name, the first found wins (module paths are
// searched in order, each folder in sorted order) and the other is reported.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "hotmod/reload_stats.hpp"

namespace hotmod::registry {

struct Discovered {
  std::string name;
  ModuleKind kind = ModuleKind::library;
  std::filesystem::path path;
};

struct DiscoveryResult {
  std::vector<Discovered> modules;  // in discovery order, names unique
  std::vector<std::string> warnings;
};

// The module name for `file` found under `root`, or "" when it is not a module.
std::string module_name(const std::filesystem::path& root, const std::filesystem::path& file);

DiscoveryResult discover(const std::vector<std::filesystem::path>& module_paths);

}  // namespace hotmod::registry
