// The files `hotmod new` writes: a module of each kind that builds, loads
// and reloads as generated, with one exported function (`greet`) and state
// kept across reloads, for the author to replace.
#pragma once

#include <string>

namespace hotmod::cli {

struct SkeletonNames {
  std::string module;  // "tools.math"
  std::string leaf;    // "math": the file's name
  std::string target;  // "tools_math": the CMake target
  // Library modules: the module folder the .so goes to, relative to the
  // folder of the CMakeLists.txt, and hotmod's source tree (its headers and
  // cmake/HotmodModule.cmake) for a standalone build.
  std::string module_dir;
  std::string hotmod_source_dir;
};

// `name.cpp` compiled by hotmod itself.
std::string source_module_text(const SkeletonNames& names);
// `name.lua`.
std::string script_module_text(const SkeletonNames& names);
// The library module's `name.cpp` and its CMakeLists.txt.
std::string library_module_text(const SkeletonNames& names);
std::string library_cmake_text(const SkeletonNames& names);

}  // namespace hotmod::cli
