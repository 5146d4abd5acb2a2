// The kernel backend: one inotify instance, one watch per folder.
//
// libuv's uv_fs_event is not used: on Linux it is not recursive and does not
// report IN_CLOSE_WRITE, which is how a finished write is told from one in
// progress. The instance's descriptor is polled by the engine's loop.
// Loop thread only.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "watch/folder_backend.hpp"

namespace hotmod::watch {

class InotifyBackend final : public FolderBackend {
 public:
  struct Event {
    int wd = -1;
    std::uint32_t mask = 0;
    std::uint32_t cookie = 0;
    std::string name;
  };

  // A non-blocking instance; nullptr with `error` set (EMFILE: the user's
  // instances, fs.inotify.max_user_instances, are used up).
  static std::unique_ptr<InotifyBackend> open(std::size_t max_watches, int& error);
  ~InotifyBackend() override;
  InotifyBackend(const InotifyBackend&) = delete;
  InotifyBackend& operator=(const InotifyBackend&) = delete;

  int fd() const { return fd_; }

  AddResult add(const std::string& dir, bool is_root) override;
  void remove(const std::string& dir) override;
  void rename(const std::string& from, const std::string& to) override;
  std::size_t folders() const override { return by_dir_.size(); }

  // Appends the notifications queued now; false when there were none.
  bool read(std::vector<Event>& out);
  // The folder a watch descriptor belongs to, as it is named now; null for
  // watches already removed. Resolved when an event is applied, not when it
  // is read, since an earlier event of the batch may have renamed it.
  const std::string* folder_of(int wd) const;
  // The kernel dropped this watch (IN_IGNORED).
  void forget(int wd);

 private:
  InotifyBackend(int fd, std::size_t max_watches);

  int fd_;
  std::size_t max_watches_;  // 0: as many as the kernel allows
  std::unordered_map<int, std::string> by_wd_;
  std::map<std::string, int> by_dir_;
  std::vector<char> buffer_;
};

}  // namespace hotmod::watch
