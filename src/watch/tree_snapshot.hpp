// What the watcher knows about the watched tree: for every watched folder,
// its reported files and watched subfolders with their stat identity.
//
// It decides created vs modified (did the path exist before?), filters
// attribute changes (chmod alone is not a change, `touch` is), and is what
// the polling backend and a rescan after an overflow diff against.
// Loop thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace hotmod::watch {

struct Stat {
  bool is_dir = false;
  bool regular = false;
  std::int64_t mtime_ns = 0;
  std::uint64_t size = 0;
  std::uint64_t inode = 0;
  std::uint64_t device = 0;
  std::uint64_t links = 1;

  // Same content as far as stat can tell: same object (device, inode) and,
  // for files, same size and nanosecond mtime. Mode, owner and ctime are left
  // out on purpose: a chmod is not a change. Never whole-second mtimes.
  bool same_content(const Stat& other) const {
    return is_dir == other.is_dir && inode == other.inode && device == other.device &&
           (is_dir || (size == other.size && mtime_ns == other.mtime_ns));
  }
};

// lstat(2): a symbolic link is reported as itself, never followed.
std::optional<Stat> lstat_path(const std::string& path);
// stat(2): for roots, which may be given as symbolic links.
std::optional<Stat> stat_path(const std::string& path);

struct DirEntry {
  std::string name;
  Stat stat;
};

// The entries of `dir` (without "." and ".."), each lstat'ed; entries that
// vanish while being read are left out. Returns 0 or the errno of opening.
int list_dir(const std::string& dir, std::vector<DirEntry>& out);

class TreeSnapshot {
 public:
  using Children = std::map<std::string, Stat, std::less<>>;  // by name
  using Visit = std::function<void(const std::string& path, const Stat& stat)>;

  const Stat* find(const std::string& path) const;
  // Records `path` (creating its parent's listing if needed); a folder also
  // gets an empty listing of its own.
  void set(const std::string& path, const Stat& stat);
  // Forgets `path` and everything below it, visiting each forgotten entry
  // children first (the order `rm -rf` deletes in). `path` itself may be a
  // listing only (a watched folder with no entry of its own).
  void erase(const std::string& path, const Visit& visit = {});
  // Everything below `dir` (not `dir` itself), parents first.
  void walk(const std::string& dir, const Visit& visit) const;
  const Children* children(const std::string& dir) const;
  std::size_t size() const { return entries_; }

 private:
  void erase_below(const std::string& dir, const Visit& visit);

  std::unordered_map<std::string, Children> dirs_;
  std::size_t entries_ = 0;
};

}  // namespace hotmod::watch
