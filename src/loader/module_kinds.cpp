#include "loader/module_kinds.hpp"

#include <algorithm>
#include <array>
#include <string>

namespace hotmod::loader {
namespace {

constexpr std::array<std::string_view, 1> kLibrary{".so"};
constexpr std::array<std::string_view, 3> kSource{".cpp", ".cc", ".cxx"};
constexpr std::array<std::string_view, 1> kScript{".lua"};
// Headers a source module may include from its folder.
constexpr std::array<std::string_view, 6> kHeaders{".h", ".hh", ".hpp", ".hxx", ".inl", ".ipp"};

// In ModuleKind's order: kind_row indexes it.
constexpr std::array kKinds{
    KindRow{ModuleKind::library, kLibrary, "library (built by CMake)", KindRow::Written::by_linker},
    KindRow{ModuleKind::source, kSource, "source (compiled by hotmod)"},
    KindRow{ModuleKind::script, kScript, "script (Lua)"},
};

bool in(std::span<const std::string_view> list, std::string_view ext) {
  return std::find(list.begin(), list.end(), ext) != list.end();
}

}  // namespace

std::span<const KindRow> module_kinds() {
  return kKinds;
}

const KindRow& kind_row(ModuleKind kind) {
  static_assert(kKinds[0].kind == ModuleKind::library && kKinds[1].kind == ModuleKind::source &&
                kKinds[2].kind == ModuleKind::script);
  return kKinds.at(static_cast<std::size_t>(kind));
}

std::optional<ModuleKind> kind_by_extension(const std::filesystem::path& file) {
  return kind_by_name(file.filename().native());
}

std::optional<ModuleKind> kind_by_name(std::string_view file_name) {
  // As std::filesystem::path::extension(): from the last dot, unless the
  // name starts with it (".hidden" has none).
  const std::size_t dot = file_name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  const std::string_view ext = file_name.substr(dot);
  for (const KindRow& row : kKinds)
    if (in(row.extensions, ext)) return row.kind;
  return std::nullopt;
}

bool has_kind_extension(ModuleKind kind, const std::filesystem::path& file) {
  return in(kind_row(kind).extensions, file.extension().string());
}

std::span<const std::string_view> header_extensions() {
  return kHeaders;
}

bool is_source_code(const std::filesystem::path& file) {
  const std::string ext = file.extension().string();
  return in(kSource, ext) || in(kHeaders, ext) || file.filename() == kModuleMarker;
}

}  // namespace hotmod::loader
