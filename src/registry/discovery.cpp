#include "registry/discovery.hpp"

#include <algorithm>
#include <system_error>
#include <unordered_map>

namespace hotmod::registry {
namespace fs = std::filesystem;

std::string module_name(const fs::path& root, const fs::path& file) {
  const std::string base = file.filename().string();
  if (base.size() <= 3 || !base.ends_with(".so") || base.front() == '.') return {};
  std::string stem = base.substr(0, base.size() - 3);
  if (stem.starts_with("lib") && stem.size() > 3) stem.erase(0, 3);
  std::string name;
  for (const auto& part : file.parent_path().lexically_relative(root)) {
    const std::string p = part.string();
    if (p == "." || p.empty()) continue;
    name += p + ".";
  }
  return name + stem;
}

namespace {

// Walks one root in sorted order so the result does not depend on readdir.
void walk(const fs::path& root, const fs::path& dir, std::vector<fs::path>& files) {
  std::error_code ec;
  std::vector<fs::directory_entry> entries;
  for (const auto& e : fs::directory_iterator(dir, ec)) entries.push_back(e);
  std::sort(entries.begin(), entries.end());
  for (const auto& e : entries) {
    if (e.path().filename().string().starts_with(".")) continue;
    std::error_code tec;
    if (e.is_directory(tec))
      walk(root, e.path(), files);
    else if (e.is_regular_file(tec) || e.is_symlink(tec))
      files.push_back(e.path());
  }
}

}  // namespace

DiscoveryResult discover(const std::vector<fs::path>& module_paths) {
  DiscoveryResult out;
  std::unordered_map<std::string, std::size_t> seen;
  for (const fs::path& root : module_paths) {
    std::error_code ec;
    if (!fs::is_directory(root, ec)) {
      out.warnings.push_back("module path '" + root.string() +
                             "' is not a folder; check RuntimeOptions::module_paths");
      continue;
    }
    std::vector<fs::path> files;
    walk(root, root, files);
    for (const fs::path& file : files) {
      std::string name = module_name(root, file);
      if (name.empty()) continue;
      auto [it, fresh] = seen.emplace(name, out.modules.size());
      if (!fresh) {
        out.warnings.push_back("module '" + name + "' is found twice: using '" +
                               out.modules[it->second].path.string() + "', ignoring '" +
                               file.string() + "'");
        continue;
      }
      out.modules.push_back({std::move(name), ModuleKind::library, file});
    }
  }
  return out;
}

}  // namespace hotmod::registry
