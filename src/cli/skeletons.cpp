#include "cli/skeletons.hpp"

#include <string_view>

namespace hotmod::cli {
namespace {

// @MODULE@ @LEAF@ @TARGET@ @MODULE_DIR@ @HOTMOD_SOURCE_DIR@ replaced.
std::string fill(std::string_view text, const SkeletonNames& n) {
  const std::pair<std::string_view, const std::string*> keys[] = {
      {"@MODULE@", &n.module},
      {"@LEAF@", &n.leaf},
      {"@TARGET@", &n.target},
      {"@MODULE_DIR@", &n.module_dir},
      {"@HOTMOD_SOURCE_DIR@", &n.hotmod_source_dir}};
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    bool replaced = false;
    for (const auto& [key, value] : keys)
      if (text.substr(i, key.size()) == key) {
        out += *value;
        i += key.size();
        replaced = true;
        break;
      }
    if (!replaced) out += text[i++];
  }
  return out;
}

// The C++ both source and library modules start from.
constexpr std::string_view kModuleBody = R"~~(#include <hotmod/module.hpp>

#include <string>

HOTMOD_MODULE("@MODULE@", "0.1.0", "What @MODULE@ does");

// Owned by the runtime: kept when a new version of this file is loaded.
// Bump the 1 when its members change (see HOTMOD_MIGRATE to carry them over).
struct State {
  int calls = 0;
};
HOTMOD_STATE(State, 1);

namespace {

std::string greet(std::string who) {
  State& state = hotmod::state<State>();
  ++state.calls;
  return "hello " + who + " from @MODULE@ (call " + std::to_string(state.calls) + ")";
}

}  // namespace

HOTMOD_EXPORT(greet, "Greets `who` and counts the calls", "who");
)~~";

constexpr std::string_view kSourceHeader =
    R"~~(// @MODULE@: a source module. hotmod compiles this file itself when it is first
// used (hotmod call @MODULE@.greet '"Ada"'), and again each time it is saved
// while `hotmod watch` or `hotmod repl` runs; the state below is kept.
)~~";

constexpr std::string_view kLibraryHeader =
    R"~~(// @MODULE@: a library module, built by CMakeLists.txt beside this file into
// the module folder. Rebuild it while `hotmod watch` or `hotmod repl` runs and
// the new version is loaded; the state below is kept.
)~~";

constexpr std::string_view kScript =
    R"~~(-- @MODULE@: a script module. Save it while `hotmod watch` or `hotmod repl`
-- runs and the new version is loaded; hotmod.state is kept across reloads.
hotmod.state.calls = hotmod.state.calls or 0

local M = {_version = "0.1.0", _description = "What @MODULE@ does"}

-- Greets `who` and counts the calls.
function M.greet(who)
  hotmod.state.calls = hotmod.state.calls + 1
  return "hello " .. who .. " from @MODULE@ (call " .. hotmod.state.calls .. ")"
end

return M
)~~";

constexpr std::string_view kCmake =
    R"~~(# The @MODULE@ module: a library module hotmod loads from the module folder.
#
# In a project that has hotmod (hotmod's own tree, or add_subdirectory(hotmod)):
#   add_subdirectory(<this folder>) from that project's CMakeLists.txt.
# On its own, from the folder holding hotmod.json:
#   cmake -S <this folder> -B <this folder>/build && cmake --build <this folder>/build
# The .so goes to HOTMOD_MODULE_DIR; HOTMOD_SOURCE_DIR is hotmod's source
# tree (its headers and cmake/HotmodModule.cmake).
cmake_minimum_required(VERSION 3.25)
project(@TARGET@ LANGUAGES CXX)

set(HOTMOD_MODULE_DIR "${CMAKE_CURRENT_SOURCE_DIR}/@MODULE_DIR@"
    CACHE PATH "The module folder @MODULE@ is built into")
set(HOTMOD_SOURCE_DIR "@HOTMOD_SOURCE_DIR@" CACHE PATH "hotmod's source tree")

if(NOT COMMAND hotmod_add_module)
  list(APPEND CMAKE_MODULE_PATH "${HOTMOD_SOURCE_DIR}/cmake")
  include(HotmodModule)
endif()
if(NOT TARGET hotmod::module)
  # What hotmod's own CMakeLists.txt defines: its headers and nlohmann_json.
  find_package(nlohmann_json 3.10 REQUIRED)
  add_library(hotmod_module INTERFACE)
  add_library(hotmod::module ALIAS hotmod_module)
  target_include_directories(hotmod_module INTERFACE "${HOTMOD_SOURCE_DIR}/include")
  target_link_libraries(hotmod_module INTERFACE nlohmann_json::nlohmann_json)
  target_compile_features(hotmod_module INTERFACE cxx_std_20)
endif()

hotmod_add_module(@TARGET@ NAME @MODULE@ OUTPUT_DIR "${HOTMOD_MODULE_DIR}" SOURCES @LEAF@.cpp)
)~~";

}  // namespace

std::string source_module_text(const SkeletonNames& names) {
  return fill(std::string(kSourceHeader) + std::string(kModuleBody), names);
}

std::string script_module_text(const SkeletonNames& names) {
  return fill(kScript, names);
}

std::string library_module_text(const SkeletonNames& names) {
  return fill(std::string(kLibraryHeader) + std::string(kModuleBody), names);
}

std::string library_cmake_text(const SkeletonNames& names) {
  return fill(kCmake, names);
}

}  // namespace hotmod::cli
