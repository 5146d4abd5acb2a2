// What `hotmod new` writes, worked out before anything is written: the
// files of a module skeleton (see skeletons.hpp) and, for a library module,
// the build rule hotmod runs when its sources change.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "hotmod/runtime.hpp"

namespace hotmod::cli {

// "" for a good module name, else what is wrong with it. Names are
// identifiers (letters, digits, _; not a digit first) joined by dots, each
// dot a folder: "tools.math" is tools/math.cpp.
std::string module_name_problem(std::string_view name);

struct NewFile {
  std::filesystem::path path;
  std::string text;
};

struct NewModule {
  std::vector<NewFile> files;
  // Library modules: the folder of NAME.cpp and CMakeLists.txt.
  std::filesystem::path folder;
};

// The skeleton of `name` below `dir` (absolute). Source and script modules
// are one file, dir/a/b.cpp or .lua; a library module is a folder dir/a/b/
// holding b.cpp and a CMakeLists.txt that builds a/b.so into `module_dir`.
NewModule plan_module(const std::string& name, ModuleKind kind, const std::filesystem::path& dir,
                      const std::filesystem::path& module_dir);

// The CMake generator a generated build rule configures with: Ninja when it
// is installed (what scripts/setup installs), else CMake's default (make).
enum class CmakeGenerator { ninja, cmake_default };
CmakeGenerator available_generator();

// hotmod.json's build rule for a library module whose folder is `folder`,
// for a project file in `project_dir`: configure once, then build.
std::string library_build_command(const std::filesystem::path& folder,
                                  const std::filesystem::path& project_dir,
                                  CmakeGenerator generator);
std::string library_sources_glob(const std::filesystem::path& folder,
                                 const std::filesystem::path& project_dir);

}  // namespace hotmod::cli
