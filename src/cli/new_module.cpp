#include "cli/new_module.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "cli/skeletons.hpp"
#include "compile/toolchain.hpp"
#include "loader/module_kinds.hpp"
#include "process/child.hpp"

namespace hotmod::cli {
namespace fs = std::filesystem;
namespace {

bool identifier(std::string_view part) {
  if (part.empty() || std::isdigit(static_cast<unsigned char>(part[0]))) return false;
  return std::all_of(part.begin(), part.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// The file name extension `hotmod new` writes for a kind.
std::string extension(ModuleKind kind) {
  return std::string(loader::kind_row(kind).extensions.front());
}

std::string relative_text(const fs::path& path, const fs::path& base) {
  const fs::path rel = path.lexically_relative(base);
  return rel.empty() ? "." : rel.generic_string();
}

}  // namespace

std::string module_name_problem(std::string_view name) {
  const std::string why = fmt::format(
      "'{}' is not a module name: use letters, digits and _ (not a digit first), and dots "
      "between folders, e.g. tools.math",
      name);
  if (name.empty()) return "the module name is empty: name it, e.g. `hotmod new tools.math`";
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = name.find('.', start);
    if (!identifier(name.substr(start, dot - start))) return why;
    if (dot == std::string_view::npos) return {};
    start = dot + 1;
  }
}

NewModule plan_module(const std::string& name, ModuleKind kind, const fs::path& dir,
                      const fs::path& module_dir) {
  std::string rel = name;
  std::replace(rel.begin(), rel.end(), '.', '/');
  SkeletonNames names;
  names.module = name;
  names.leaf = fs::path(rel).filename().string();
  names.target = name;
  std::replace(names.target.begin(), names.target.end(), '.', '_');
  names.hotmod_source_dir = HOTMOD_SOURCE_DIR;

  NewModule plan;
  switch (kind) {
    case ModuleKind::source:
      plan.files.push_back({dir / (rel + extension(kind)), source_module_text(names)});
      break;
    case ModuleKind::script:
      plan.files.push_back({dir / (rel + extension(kind)), script_module_text(names)});
      break;
    case ModuleKind::library:
      plan.folder = dir / rel;
      names.module_dir = relative_text(module_dir, plan.folder);
      plan.files.push_back({plan.folder / (names.leaf + ".cpp"), library_module_text(names)});
      plan.files.push_back({plan.folder / "CMakeLists.txt", library_cmake_text(names)});
      break;
  }
  return plan;
}

std::string library_build_command(const fs::path& folder, const fs::path& project_dir,
                                  CmakeGenerator generator) {
  const std::string src = process::shell_quote(relative_text(folder, project_dir));
  const std::string bin = process::shell_quote(relative_text(folder / "build", project_dir));
  // Configure only the first time: `cmake --build` reconfigures by itself
  // when CMakeLists.txt changes. CMake's default generator needs make, which
  // a machine set up for Ninja may not have.
  const std::string g = generator == CmakeGenerator::ninja ? " -G Ninja" : "";
  return fmt::format("test -f {0}/CMakeCache.txt || cmake{1} -S {2} -B {0} && cmake --build {0}",
                     bin, g, src);
}

CmakeGenerator available_generator() {
  return compile::find_program("ninja").empty() ? CmakeGenerator::cmake_default
                                                : CmakeGenerator::ninja;
}

std::string library_sources_glob(const fs::path& folder, const fs::path& project_dir) {
  // The watcher leaves build/ folders out by default, so the build's own
  // output does not start another build.
  return relative_text(folder, project_dir) + "/**";
}

}  // namespace hotmod::cli
