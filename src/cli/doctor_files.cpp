// `hotmod doctor`: the module folders, what is in them, and watching them.
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>

#include "cli/cli_runtime.hpp"
#include "cli/doctor_checks.hpp"
#include "registry/discovery.hpp"
#include "watch/fs_type.hpp"

namespace hotmod::cli {
namespace fs = std::filesystem;
namespace {

std::string counts_text(const std::map<ModuleKind, std::size_t>& counts) {
  std::string out;
  for (ModuleKind kind : {ModuleKind::library, ModuleKind::source, ModuleKind::script}) {
    const auto it = counts.find(kind);
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", it == counts.end() ? 0 : it->second,
                       to_string(kind));
  }
  return out;
}

// Folders below `root`, itself included: one inotify watch each.
std::size_t folders_under(const fs::path& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return 0;
  std::size_t n = 1;
  for (fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec),
       end;
       !ec && it != end; it.increment(ec))
    if (it->is_directory(ec)) ++n;
  return n;
}

}  // namespace

std::vector<Check> check_module_paths(const RuntimeOptions& options, bool* has_source_modules) {
  *has_source_modules = false;
  if (options.module_paths.empty())
    return {{CheckLevel::warn,
             "module folders: none configured; pass -M DIR, or set \"module_paths\" in "
             "hotmod.json"}};
  const registry::DiscoveryResult found = registry::discover(options.module_paths);
  std::vector<Check> out;
  std::vector<std::string> broken;  // reported here: discovery's warning about them is not repeated
  for (const fs::path& p : options.module_paths) {
    std::error_code ec;
    const std::string name = fmt::format("module folder {}", display_path(p));
    if (!fs::exists(p, ec)) {
      out.push_back({CheckLevel::fail,
                     fmt::format("{} does not exist; create it, or fix -M / \"module_paths\" in "
                                 "hotmod.json / HOTMOD_MODULE_PATH",
                                 name)});
      broken.push_back(p.string());
      continue;
    }
    if (!fs::is_directory(p, ec)) {
      out.push_back(
          {CheckLevel::fail, fmt::format("{} is not a folder; name the folder holding it", name)});
      broken.push_back(p.string());
      continue;
    }
    std::map<ModuleKind, std::size_t> counts;
    for (const registry::Discovered& d : found.modules)
      if (is_below(d.path, p)) {
        ++counts[d.kind];
        if (d.kind == ModuleKind::source) *has_source_modules = true;
      }
    out.push_back({CheckLevel::ok, fmt::format("{}: {} modules", name, counts_text(counts))});
  }
  for (const std::string& w : found.warnings)
    if (std::none_of(broken.begin(), broken.end(),
                     [&](const std::string& b) { return w.find(b) != std::string::npos; }))
      out.push_back({CheckLevel::warn, w});
  return out;
}

std::vector<Check> check_watching(const RuntimeOptions& options) {
  std::vector<Check> out;
  std::size_t folders = 0;
  for (const fs::path& p : options.module_paths) {
    folders += folders_under(p);
    if (auto fs_name = watch::unnotified_file_system(p.string()))
      out.push_back({CheckLevel::warn,
                     fmt::format("module folder {} is on {}: inotify does not see changes made "
                                 "elsewhere, so it is polled (watch.poll_interval_ms sets how "
                                 "often)",
                                 display_path(p), *fs_name)});
  }
  std::ifstream in("/proc/sys/fs/inotify/max_user_watches");
  long long limit = 0;
  if (!(in >> limit)) {
    out.insert(out.begin(), {CheckLevel::warn,
                             "inotify: cannot read /proc/sys/fs/inotify/max_user_watches; the "
                             "watcher polls if inotify does not start"});
    return out;
  }
  const std::string found =
      fmt::format("inotify: {} {} to watch, limit {} (fs.inotify.max_user_watches)", folders,
                  folders == 1 ? "folder" : "folders", limit);
  if (static_cast<long long>(folders) >= limit)
    out.insert(out.begin(), {CheckLevel::warn,
                             fmt::format("{}; folders past the limit are polled. Raise it: sudo "
                                         "sysctl fs.inotify.max_user_watches=524288",
                                         found)});
  else
    out.insert(out.begin(), {CheckLevel::ok, found});
  return out;
}

}  // namespace hotmod::cli
