// The versioned copies module images are opened from.
//
// A module is never opened from its build output: the build may overwrite
// that file at any moment, and overwriting a mapped image crashes the
// process. Each version is written to <versions_dir>/<pid>.<start>/ as
// <module>.<generation>.so and deleted once that version is unloaded. A
// process's folder is named by its pid and start time, so leftovers of a
// crashed process are recognised (and removed) even when its pid is reused.
//
// Thread-safety: all members may be called from any thread.
#pragma once

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

  // Removes the folders of processes that no longer run; returns how many.
  std::size_t remove_stale() const;

  // Writes `bytes` as a new versioned copy of `module`.
  bool write(const std::string& module, std::uint64_t generation,
             std::span<const unsigned char> bytes, std::filesystem::path* out, Error* f);
  void remove(const std::filesystem::path& copy) const;
  // <folder>/<name>, created 0700 like the folder and checked the same way:
  // for the runtime's own files (the watchers' sync cookies).
  Result<std::filesystem::path> private_subfolder(const std::string& name);

  const std::filesystem::path& folder() const { return folder_; }
  const std::filesystem::path& root() const { return root_; }

 private:
  // Creates the root and the process's folder on first use; the problem, or "".
  std::string ensure_folder();

  std::filesystem::path root_;
  std::filesystem::path folder_;
  std::mutex folder_mu_;
  std::atomic<bool> folder_ready_{false};
};

}  // namespace hotmod::loader
