// Absolute, '/'-separated path strings as the watcher keeps them.
//
// The watcher stores paths as plain strings rather than std::filesystem::path:
// it compares, joins and re-bases thousands of them per notification batch,
// and every one is already absolute and lexically normal (the roots are made
// so once, and the rest is built by joining single names onto them).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace hotmod::watch {

inline std::string join_path(std::string_view dir, std::string_view name) {
  std::string path;
  path.reserve(dir.size() + 1 + name.size());
  path.append(dir);
  if (path.empty() || path.back() != '/') path.push_back('/');
  path.append(name);
  return path;
}

// "/a/b" -> "/a", "/a" -> "/", "/" -> "".
inline std::string_view parent_path(std::string_view path) {
  std::size_t slash = path.rfind('/');
  if (slash == std::string_view::npos || path.size() <= 1) return {};
  return slash == 0 ? path.substr(0, 1) : path.substr(0, slash);
}

inline std::string_view file_name(std::string_view path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// True when `path` is strictly below the folder `dir`.
inline bool is_below(std::string_view path, std::string_view dir) {
  if (dir == "/") return path.size() > 1 && path.front() == '/';
  return path.size() > dir.size() + 1 && path[dir.size()] == '/' && path.starts_with(dir);
}

inline bool is_within(std::string_view path, std::string_view dir) {
  return path == dir || is_below(path, dir);
}

// `path`, which is within `dir`, as seen from `dir` ("" for `dir` itself).
inline std::string_view relative_to(std::string_view path, std::string_view dir) {
  if (path.size() <= dir.size()) return {};
  return path.substr(dir == "/" ? 1 : dir.size() + 1);
}

// `path`, within `from`, after `from` was renamed to `to`.
inline std::string rebase(std::string_view path, std::string_view from, std::string_view to) {
  std::string moved(to);
  moved.append(path.substr(from.size()));
  return moved;
}

inline const std::string& key_of(const std::string& key) {
  return key;
}
template <class Pair>
const std::string& key_of(const Pair& entry) {
  return entry.first;
}

// The keys of a sorted map or set that are `dir` or below it, in order. A
// plain prefix range is not enough: "/a/b-c" sorts between "/a/b" and "/a/b/x".
template <class Sorted>
std::vector<std::string> keys_within(const Sorted& sorted, const std::string& dir) {
  std::vector<std::string> keys;
  if (sorted.count(dir) != 0) keys.push_back(dir);
  const std::string prefix = dir == "/" ? dir : dir + "/";
  for (auto it = sorted.lower_bound(prefix); it != sorted.end() && key_of(*it).starts_with(prefix);
       ++it)
    if (key_of(*it) != dir) keys.push_back(key_of(*it));
  return keys;
}

}  // namespace hotmod::watch
