#include "registry/discovery.hpp"

#include <fmt/format.h>

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "loader/module_kinds.hpp"
#include "text/printable.hpp"

namespace hotmod::registry {
namespace fs = std::filesystem;

namespace {

// `folder`: `base` names a folder (a marked one, when found by the walk).
ModuleKind kind_of(std::string_view base, bool folder) {
  if (folder) return ModuleKind::source;  // whatever its name ends with
  if (std::optional<ModuleKind> kind = loader::kind_by_name(base)) return *kind;
  return ModuleKind::library;
}

// The module name of the file or marked folder `base`, `prefix` being the
// names of the folders between the root and it, each followed by ".". The
// walk knows whether it is a folder from the folder's entries (a stat per
// file would be most of its time), and keeps paths as strings: a
// std::filesystem::path splits itself into components, one allocation
// each, which was a third of finding a thousand modules.
std::string name_of(const std::string& prefix, std::string_view base, bool folder) {
  if (base.empty() || base.front() == '.') return {};
  std::string_view stem;
  if (folder) {
    stem = base;
  } else if (kind_of(base, false) != ModuleKind::library) {  // name.cpp, name.lua
    stem = base.substr(0, base.rfind('.'));
  } else {
    if (base.size() <= 3 || !base.ends_with(".so")) return {};
    stem = base.substr(0, base.size() - 3);
    if (stem.starts_with("lib") && stem.size() > 3) stem.remove_prefix(3);
  }
  if (stem.empty()) return {};
  return prefix + std::string(stem);
}

}  // namespace

std::string module_name(const fs::path& root, const fs::path& file) {
  std::string prefix;
  for (const auto& part : file.parent_path().lexically_relative(root)) {
    const std::string p = part.string();
    if (p == "." || p.empty()) continue;
    prefix += p + ".";
  }
  std::error_code ec;
  const bool folder = fs::is_directory(file, ec);
  if (folder && !fs::is_regular_file(file / loader::kModuleMarker, ec)) return {};
  std::string name = name_of(prefix, file.filename().native(), folder);
  return text::has_control_characters(name) ? std::string() : name;  // see discover()
}

namespace {

// A module the walk found: a file, or a folder with a marker.
struct Found {
  std::string path;
  std::size_t base = 0;  // where its own name starts in `path`
  bool folder = false;
  std::string prefix;  // the folders it is in below the root, each with a "."
};

using DirId = std::pair<std::uint64_t, std::uint64_t>;  // device, inode

bool dir_id(const std::string& dir, DirId* id) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return false;
  *id = {static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)};
  return true;
}

// A folder's entries, sorted by name, without "." names; d_type from
// readdir, DT_UNKNOWN where the filesystem gives none. readdir rather than
// std::filesystem::directory_iterator: it builds a path, split into
// components, for every entry, and the walk needs only names and types.
std::vector<std::pair<std::string, unsigned char>> entries_of(const std::string& dir) {
  std::vector<std::pair<std::string, unsigned char>> out;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return out;
  while (const dirent* e = ::readdir(d))
    if (e->d_name[0] != '.') out.emplace_back(e->d_name, e->d_type);
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

// Walks one root in sorted order so the result does not depend on readdir.
// `stack` holds the folders being walked (by identity, so a symlink back to
// one of them is noticed) — one stat per folder, none per file but links.
void walk(const std::string& dir, const std::string& prefix, std::vector<DirId>& stack,
          std::vector<Found>& files, std::vector<std::string>& warnings) {
  for (auto& [name, type] : entries_of(dir)) {
    std::string path = dir.ends_with('/') ? dir + name : dir + "/" + name;
    const std::size_t base_at = path.size() - name.size();
    bool is_folder = type == DT_DIR;
    // A link counts as what it points to, and as a file when that is not a
    // folder (dangling, a loop, a FIFO); an entry of unknown type as what
    // stat and, for a link, lstat say.
    bool is_file = type == DT_REG || type == DT_LNK;
    if (type == DT_LNK || type == DT_UNKNOWN) {
      struct stat st {};
      const bool exists = ::stat(path.c_str(), &st) == 0;
      is_folder = exists && S_ISDIR(st.st_mode);
      if (type == DT_UNKNOWN) {
        is_file = exists && S_ISREG(st.st_mode);
        if (!is_file && !is_folder && ::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode))
          is_file = true;
      }
    }
    if (is_folder) {
      DirId id;
      if (!dir_id(path, &id)) continue;
      if (std::find(stack.begin(), stack.end(), id) != stack.end()) {
        warnings.push_back(fmt::format("skipping '{}': it links back to a folder that contains it",
                                       text::printable(path)));
        continue;
      }
      struct stat marker {};
      const std::string marker_path = path + "/" + std::string(loader::kModuleMarker);
      if (::stat(marker_path.c_str(), &marker) == 0 && S_ISREG(marker.st_mode)) {
        files.push_back({std::move(path), base_at, true, prefix});  // one source module
        continue;
      }
      if (name == "CMakeFiles") continue;  // CMake's own probes (CMakeCXXCompilerId.cpp)
      stack.push_back(id);
      walk(path, prefix + name + ".", stack, files, warnings);
      stack.pop_back();
    } else if (is_file) {
      files.push_back({std::move(path), base_at, false, prefix});
    }
  }
}

}  // namespace

DiscoveryResult discover(const std::vector<fs::path>& module_paths) {
  DiscoveryResult out;
  // Names found so far, viewing out.modules' own strings (no copies).
  std::unordered_map<std::string_view, std::size_t> seen;
  for (const fs::path& root : module_paths) {
    std::error_code ec;
    if (!fs::is_directory(root, ec)) {
      out.warnings.push_back(
          fmt::format("module path '{}' is not a folder; check RuntimeOptions::module_paths",
                      text::printable(root.native())));
      continue;
    }
    std::vector<Found> files;
    std::vector<DirId> stack(1);
    std::string top = root.native();
    while (top.size() > 1 && top.back() == '/') top.pop_back();  // "modules/" as "modules"
    if (root.filename() == "CMakeFiles" || !dir_id(top, &stack[0])) continue;
    walk(top, "", stack, files, out.warnings);
    if (out.modules.capacity() < out.modules.size() + files.size()) {
      out.modules.reserve(out.modules.size() + files.size());
      // Moved: a short name lives inside its string, so the views are rebuilt.
      seen.clear();
      for (std::size_t i = 0; i < out.modules.size(); ++i) seen.emplace(out.modules[i].name, i);
    }
    for (auto& [path, base_at, folder, prefix] : files) {
      const std::string_view base = std::string_view(path).substr(base_at);
      std::string name = name_of(prefix, base, folder);
      if (name.empty()) continue;
      // A control character in a name could forge log lines or move the
      // terminal's cursor wherever the name is printed.
      if (text::has_control_characters(name)) {
        out.warnings.push_back(fmt::format(
            "skipping '{}': its name has a control character (shown escaped); rename it",
            text::printable(path)));
        continue;
      }
      const ModuleKind kind = kind_of(base, folder);
      fs::path file(std::move(path));
      if (auto it = seen.find(name); it != seen.end()) {
        const Discovered& first = out.modules[it->second];
        std::string why =
            fmt::format("module '{}' is found twice: using '{}' ({}), ignoring '{}' ({})", name,
                        text::printable(first.path.native()), to_string(first.kind),
                        text::printable(file.native()), to_string(kind));
        if (first.kind != kind || first.path.parent_path() == file.parent_path())
          why +=
              "; rename one of them, or keep sources and built libraries in different "
              "module paths";
        out.warnings.push_back(std::move(why));
        continue;
      }
      out.modules.push_back({std::move(name), kind, std::move(file)});
      seen.emplace(out.modules.back().name, out.modules.size() - 1);
    }
  }
  return out;
}

}  // namespace hotmod::registry
