// The versioned copies module images are opened from.
//
// A module is never opened from its build output: the build may overwrite
// that file at any moment, and overwriting a mapped image crashes the
// process. Each version is written to <versions_dir>/<pid>.<start>/ as
// <module>.<generation>.so and deleted once that version is unloaded.
//
// The root is checked before anything in it is touched: a real folder (not
// a symlink), this user's, mode 0700, on a file system that runs code. A
// process's folder holds a marker, `.hotmod-process` (pid, start time, boot
// id), on which every store using the folder holds a shared flock for its
// life (one lock per process, however many stores share the folder).
// Leftovers of a crashed process are recognised by that lock being
// free, which holds across pid reuse and across containers that share /tmp
// with pid namespaces of their own; a folder without the marker is never
// removed. A folder removed under a running process is made again.
//
// Thread-safety: all members may be called from any thread.
#pragma once

#include <sys/stat.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <span>
#include <string>

#include "hotmod/error.hpp"
#include "hotmod/value.hpp"

namespace hotmod::loader {

class VersionStore {
 public:
  // `root` empty: $TMPDIR (or /tmp) /hotmod-versions-<uid>. The root and the
  // process's folder are created 0700 and must belong to this user.
  explicit VersionStore(std::filesystem::path root);
  ~VersionStore();
  VersionStore(const VersionStore&) = delete;
  VersionStore& operator=(const VersionStore&) = delete;

  // Removes the folders of processes that no longer run: `removed` says how
  // many; `problem` why none was looked at (the root failed its checks).
  struct Cleanup {
    std::size_t removed = 0;
    std::string problem;
  };
  Cleanup remove_stale() const;

  // Writes `bytes` as a new versioned copy of `module`.
  bool write(const std::string& module, std::uint64_t generation,
             std::span<const unsigned char> bytes, std::filesystem::path* out, Error* f);
  void remove(const std::filesystem::path& copy) const;
  // <folder>/<name>, created 0700 like the folder and checked the same way:
  // for the runtime's own files (the watchers' sync cookies).
  Result<std::filesystem::path> private_subfolder(const std::string& name);

  // Lets go of the folder: it is removed when no other store of any process
  // holds it and nothing but the marker is left in it. Also on destruction.
  void release();

  const std::filesystem::path& folder() const { return folder_; }
  const std::filesystem::path& root() const { return root_; }

 private:
  // Creates the root and the process's folder on first use (again, when it
  // was removed: `again`); the problem, or "".
  std::string ensure_folder(bool again = false);

  std::filesystem::path root_;
  std::filesystem::path folder_;
  std::mutex folder_mu_;
  std::atomic<bool> folder_ready_{false};
  bool holding_ = false;  // counted among the folder's users (see holders())
};

// Why `root` may not hold versioned copies ("" when it may): not a folder,
// a symlink, another user's, open to group or others, or on a file system
// mounted noexec. `st` and `noexec` as lstat() and statvfs() gave them.
std::string versions_root_problem(const std::string& root, const struct stat& st, bool noexec);

}  // namespace hotmod::loader
