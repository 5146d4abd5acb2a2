// The kinds of module, one row each: the file names a kind's modules have,
// which kind a file is, and which files are a source module's code. Discovery,
// the runtime's watcher, the compiler driver, the project file and `hotmod new`
// all read this table, so a new kind is a new row here (plus its backend in
// reload/, its skeleton in cli/ and its enumerator in hotmod/error.hpp).
#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <string_view>

#include "hotmod/error.hpp"

namespace hotmod::loader {

struct KindRow {
  ModuleKind kind;
  // The file name extensions of its modules; the first is the one `hotmod
  // new` writes. A library is any name ending in ".so" (discovery drops a
  // "lib" prefix).
  std::span<const std::string_view> extensions;
  std::string_view description;  // for help texts: "library (built by CMake)"
  // How its files are written, which tells the watcher when a change is
  // complete: both are delivered at once when the writer closes the file or
  // renames it into place, without the debounce.
  enum class Written {
    by_linker,  // a build's output; a removal waits for the file written in
                // its place (lld and mold remove the old output first)
    by_editor,  // saved by hand; a removal is debounced
  };
  Written written = Written::by_editor;
};

std::span<const KindRow> module_kinds();
const KindRow& kind_row(ModuleKind kind);

// A folder holding a file of this name is one source module compiled from
// all its files.
inline constexpr std::string_view kModuleMarker = "hotmod.module";

// The kind a file's extension says; nullopt when no kind has it. A folder
// (a marked one) is a source module, which this does not look at.
std::optional<ModuleKind> kind_by_extension(const std::filesystem::path& file);
// The same for a file name without its folder, e.g. "physics.cpp".
std::optional<ModuleKind> kind_by_name(std::string_view file_name);
// Whether `file`'s extension is one of `kind`'s.
bool has_kind_extension(ModuleKind kind, const std::filesystem::path& file);
// A source module's code: its sources, headers and folder marker. Other
// files in its folder (data, logs) do not rebuild it.
bool is_source_code(const std::filesystem::path& file);
// The extensions of the headers a source module may include: ".h", ".hpp"...
std::span<const std::string_view> header_extensions();

}  // namespace hotmod::loader
