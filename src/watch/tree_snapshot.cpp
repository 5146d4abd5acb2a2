#include "watch/tree_snapshot.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "watch/paths.hpp"

namespace hotmod::watch {
namespace {

Stat from_stat(const struct stat& st) {
  Stat s;
  s.is_dir = S_ISDIR(st.st_mode);
  s.regular = S_ISREG(st.st_mode);
  s.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  s.size = static_cast<std::uint64_t>(st.st_size);
  s.inode = static_cast<std::uint64_t>(st.st_ino);
  s.device = static_cast<std::uint64_t>(st.st_dev);
  s.links = static_cast<std::uint64_t>(st.st_nlink);
  return s;
}

}  // namespace

std::optional<Stat> lstat_path(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return std::nullopt;
  return from_stat(st);
}

std::optional<Stat> stat_path(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return from_stat(st);
}

int list_dir(const std::string& dir, std::vector<DirEntry>& out) {
  out.clear();
  DIR* handle = ::opendir(dir.c_str());
  if (handle == nullptr) return errno;
  int fd = ::dirfd(handle);
  while (const struct dirent* entry = ::readdir(handle)) {
    const char* name = entry->d_name;
    if (std::strcmp(name, ".") == 0 || std::strcmp(name, "..") == 0) continue;
    struct stat st {};
    // fstatat on the open folder: one path lookup per entry instead of a
    // walk from the root, which matters when polling large trees.
    if (::fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    out.push_back(DirEntry{name, from_stat(st)});
  }
  ::closedir(handle);
  return 0;
}

const Stat* TreeSnapshot::find(const std::string& path) const {
  auto dir = dirs_.find(std::string(parent_path(path)));
  if (dir == dirs_.end()) return nullptr;
  auto entry = dir->second.find(file_name(path));
  return entry == dir->second.end() ? nullptr : &entry->second;
}

void TreeSnapshot::set(const std::string& path, const Stat& stat) {
  Children& siblings = dirs_[std::string(parent_path(path))];
  if (siblings.insert_or_assign(std::string(file_name(path)), stat).second) ++entries_;
  if (stat.is_dir) dirs_.try_emplace(path);
}

void TreeSnapshot::erase_below(const std::string& dir, const Visit& visit) {
  auto listing = dirs_.find(dir);
  if (listing == dirs_.end()) return;
  Children children = std::move(listing->second);
  dirs_.erase(listing);
  for (const auto& [name, stat] : children) {
    std::string child = join_path(dir, name);
    if (stat.is_dir) erase_below(child, visit);  // a folder's contents before the folder
    --entries_;
    if (visit) visit(child, stat);
  }
}

void TreeSnapshot::erase(const std::string& path, const Visit& visit) {
  erase_below(path, visit);
  auto parent = dirs_.find(std::string(parent_path(path)));
  if (parent == dirs_.end()) return;
  auto entry = parent->second.find(file_name(path));
  if (entry == parent->second.end()) return;
  Stat stat = entry->second;
  parent->second.erase(entry);
  --entries_;
  if (visit) visit(path, stat);
}

void TreeSnapshot::walk(const std::string& dir, const Visit& visit) const {
  auto listing = dirs_.find(dir);
  if (listing == dirs_.end()) return;
  for (const auto& [name, stat] : listing->second) {
    std::string child = join_path(dir, name);
    visit(child, stat);
    if (stat.is_dir) walk(child, visit);
  }
}

const TreeSnapshot::Children* TreeSnapshot::children(const std::string& dir) const {
  auto listing = dirs_.find(dir);
  return listing == dirs_.end() ? nullptr : &listing->second;
}

}  // namespace hotmod::watch
