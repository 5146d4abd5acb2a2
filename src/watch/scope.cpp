#include "watch/scope.hpp"

#include "hotmod/watcher.hpp"
#include "watch/paths.hpp"

namespace hotmod::watch {

std::string Root::base() const {
  return kind == RootKind::file ? std::string(parent_path(path)) : path;
}

Scope::Scope(const std::vector<std::string>& roots, std::vector<std::string> include,
             const std::vector<std::string>& exclude)
    : include_(std::move(include)) {
  for (const std::string& path : roots) {
    bool duplicate = false;
    for (const Root& root : roots_) duplicate = duplicate || root.path == path;
    if (!duplicate) roots_.push_back(Root{path, RootKind::unknown, false});
  }
  for (const std::string& glob : exclude) {
    std::string_view trimmed = glob;
    while (!trimmed.empty() && trimmed.back() == '/') trimmed.remove_suffix(1);
    if (trimmed.empty()) continue;
    (trimmed.find('/') == std::string_view::npos ? exclude_names_ : exclude_paths_)
        .emplace_back(trimmed);
  }
}

// "Excluding a folder excludes everything below it": every leading part of
// `relative` is tried, each name against the globs without '/', each
// leading path against those with one.
bool Scope::excluded(std::string_view relative) const {
  std::size_t start = 0;
  while (start < relative.size()) {
    std::size_t slash = relative.find('/', start);
    std::size_t end = slash == std::string_view::npos ? relative.size() : slash;
    std::string_view name = relative.substr(start, end - start);
    for (const std::string& glob : exclude_names_)
      if (glob_match(glob, name)) return true;
    for (const std::string& glob : exclude_paths_)
      if (glob_match(glob, relative.substr(0, end))) return true;
    start = end + 1;
  }
  return false;
}

bool Scope::included(std::string_view relative) const {
  if (include_.empty()) return true;
  for (const std::string& glob : include_)
    if (glob_match(glob, relative)) return true;
  return false;
}

bool Scope::descend(std::string_view dir) const {
  for (const Root& root : roots_)
    if (root.kind == RootKind::folder && is_within(dir, root.path) &&
        !excluded(relative_to(dir, root.path)))
      return true;
  return false;
}

bool Scope::wanted(std::string_view path) const {
  for (const Root& root : roots_) {
    if (path == root.path) return true;
    if (root.kind != RootKind::folder || !is_below(path, root.path)) continue;
    std::string_view relative = relative_to(path, root.path);
    // Folders are reported unless the include globs leave them out: with
    // include = {"*.cpp"} a new folder "src" is not a change anyone asked for.
    if (!excluded(relative) && included(relative)) return true;
  }
  return false;
}

bool Scope::matches(std::string_view path, const std::vector<std::string>& globs) const {
  for (const Root& root : roots_) {
    std::string_view relative;
    if (path == root.path)
      relative = path.substr(path.rfind('/') + 1);
    else if (root.kind == RootKind::folder && is_below(path, root.path))
      relative = relative_to(path, root.path);
    else
      continue;
    for (const std::string& glob : globs)
      if (glob_match(glob, relative)) return true;
  }
  return false;
}

bool Scope::is_base(std::string_view dir) const {
  for (const Root& root : roots_)
    if (root.kind != RootKind::unknown && root.base() == dir) return true;
  return false;
}

}  // namespace hotmod::watch
