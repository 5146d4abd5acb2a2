// What a watcher covers: its roots, and which paths below them are watched
// and reported (WatchOptions::include / ::exclude).
//
// Folders are pruned when they are excluded, so nothing below an excluded
// folder is ever watched. Files are judged when a change is reported, not
// when it is seen, so that a rename from an excluded temporary file onto an
// included name still counts as a change of the included file.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hotmod::watch {

enum class RootKind {
  unknown,  // does not exist (yet): looked for every poll interval
  folder,   // watched recursively
  file,     // its parent folder is watched, only this file reported
};

struct Root {
  std::string path;  // absolute, lexically normal, no trailing '/'
  RootKind kind = RootKind::unknown;
  bool active = false;  // its folder is watched; false: missing, looked for again

  // The folder whose notifications a root is seen through.
  std::string base() const;
};

class Scope {
 public:
  Scope(const std::vector<std::string>& roots, std::vector<std::string> include,
        const std::vector<std::string>& exclude);

  std::vector<Root>& roots() { return roots_; }
  const std::vector<Root>& roots() const { return roots_; }

  // True when `dir` is watched together with its subfolders: it is a folder
  // root or below one, and neither it nor a folder between is excluded.
  bool descend(std::string_view dir) const;
  // True when a change of `path` is reported. A root itself always is.
  bool wanted(std::string_view path) const;
  // True when `dir` is the folder some root is seen through.
  bool is_base(std::string_view dir) const;
  // True when `path`, relative to a folder root it is below, matches one of
  // `globs` (as `include` does). A file root matches by its own name.
  bool matches(std::string_view path, const std::vector<std::string>& globs) const;

 private:
  bool excluded(std::string_view relative) const;
  bool included(std::string_view relative) const;

  std::vector<Root> roots_;
  std::vector<std::string> include_;
  std::vector<std::string> exclude_names_;  // no '/': matched against each component
  std::vector<std::string> exclude_paths_;  // with '/': matched against each leading part
};

}  // namespace hotmod::watch
