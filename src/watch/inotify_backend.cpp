#include "watch/inotify_backend.hpp"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "watch/paths.hpp"

namespace hotmod::watch {
namespace {

// IN_MODIFY marks a file as being written; IN_CLOSE_WRITE says it is done.
// IN_ATTRIB catches `touch` (an mtime change without a write). IN_EXCL_UNLINK
// stops events from files that were deleted but are still open.
constexpr std::uint32_t kMask = IN_CREATE | IN_CLOSE_WRITE | IN_MODIFY | IN_ATTRIB | IN_DELETE |
                                IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF |
                                IN_ONLYDIR | IN_EXCL_UNLINK;

}  // namespace

std::unique_ptr<InotifyBackend> InotifyBackend::open(std::size_t max_watches, int& error) {
  int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) {
    error = errno;
    return nullptr;
  }
  return std::unique_ptr<InotifyBackend>(new InotifyBackend(fd, max_watches));
}

InotifyBackend::InotifyBackend(int fd, std::size_t max_watches)
    : fd_(fd), max_watches_(max_watches), buffer_(64 * 1024) {}

InotifyBackend::~InotifyBackend() {
  ::close(fd_);
}

FolderBackend::AddResult InotifyBackend::add(const std::string& dir, bool is_root) {
  if (by_dir_.count(dir) != 0) return {};
  if (max_watches_ != 0 && by_dir_.size() >= max_watches_) return {Added::limit, 0};
  // A root may be a link to a folder; below the roots, links are not followed
  // (a link back up the tree would otherwise be walked forever).
  std::uint32_t mask = kMask | (is_root ? 0 : IN_DONT_FOLLOW);
  int wd = ::inotify_add_watch(fd_, dir.c_str(), mask);
  if (wd < 0) {
    int error = errno;
    switch (error) {
      case ENOSPC:
        return {Added::limit, error};
      case ENOENT:
      case ENOTDIR:
      case ELOOP:
        return {Added::gone, error};
      case EACCES:
        return {Added::denied, error};
      default:
        return {Added::failed, error};
    }
  }
  // The same folder under a second name (a bind mount, two roots through
  // links): inotify hands back the first watch, which can carry one name
  // only. The second name is polled.
  if (by_wd_.count(wd) != 0) return {Added::failed, EEXIST};
  by_wd_.emplace(wd, dir);
  by_dir_.emplace(dir, wd);
  return {};
}

void InotifyBackend::remove(const std::string& dir) {
  auto it = by_dir_.find(dir);
  if (it == by_dir_.end()) return;
  ::inotify_rm_watch(fd_, it->second);  // fails harmlessly when the folder is gone
  by_wd_.erase(it->second);
  by_dir_.erase(it);
}

void InotifyBackend::rename(const std::string& from, const std::string& to) {
  for (const std::string& old : keys_within(by_dir_, from)) {
    auto node = by_dir_.extract(old);
    node.key() = rebase(old, from, to);
    by_wd_[node.mapped()] = node.key();
    by_dir_.insert(std::move(node));
  }
}

bool InotifyBackend::read(std::vector<Event>& out) {
  ssize_t n;
  do {
    n = ::read(fd_, buffer_.data(), buffer_.size());
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return false;  // EAGAIN: nothing queued
  const char* at = buffer_.data();
  const char* end = at + n;
  while (at + sizeof(inotify_event) <= end) {
    inotify_event header;
    std::memcpy(&header, at, sizeof header);  // the buffer makes no alignment promise
    Event event{header.wd, header.mask, header.cookie, {}};
    const char* name = at + sizeof header;
    if (header.len > 0) event.name.assign(name, ::strnlen(name, header.len));
    out.push_back(std::move(event));
    at += sizeof header + header.len;
  }
  return true;
}

const std::string* InotifyBackend::folder_of(int wd) const {
  auto it = by_wd_.find(wd);
  return it == by_wd_.end() ? nullptr : &it->second;
}

void InotifyBackend::forget(int wd) {
  auto it = by_wd_.find(wd);
  if (it == by_wd_.end()) return;
  auto dir = by_dir_.find(it->second);
  if (dir != by_dir_.end() && dir->second == wd) by_dir_.erase(dir);
  by_wd_.erase(it);
}

}  // namespace hotmod::watch
