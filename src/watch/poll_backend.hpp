// The polling backend: lists its folders every poll interval and diffs them
// against the snapshot. Used for file systems that send no notifications
// (network shares, container and VM mounts), for folders beyond the kernel's
// watch limit, and by the kernel backend to rescan after a queue overflow.
//
// A file's change counts once its stat has been the same on two polls in a
// row, so a file being written is not reported until it has settled for a
// whole interval; a file that is still empty, and was created less than
// `writer_quiet` ago, is most likely between its open(O_CREAT) and its first
// write, and waits that long. Folders count at once: nothing is written into
// a folder's own entry, and their contents settle on their own. Loop thread
// only.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "watch/folder_backend.hpp"
#include "watch/tree_snapshot.hpp"

namespace hotmod::watch {

class PollBackend final : public FolderBackend {
 public:
  explicit PollBackend(std::chrono::nanoseconds writer_quiet) : writer_quiet_(writer_quiet) {}

  AddResult add(const std::string& dir, bool is_root) override;
  void remove(const std::string& dir) override;
  void rename(const std::string& from, const std::string& to) override;
  std::size_t folders() const override { return dirs_.size(); }
  const std::set<std::string>& dirs() const { return dirs_; }

  struct Change {
    enum Kind { appeared, modified, gone } kind;
    std::string path;
    Stat stat;  // now; for `gone`, as last known
  };
  // Compares `dir`'s entries now (already filtered to the watched ones) with
  // what the snapshot holds for it (`known`, null when nothing), appending
  // what changed. Without `settle`, every difference counts at once (a
  // rescan after the kernel's queue overflowed).
  void diff(const std::string& dir, std::vector<DirEntry>& now, const TreeSnapshot::Children* known,
            bool settle, std::vector<Change>& out);

 private:
  // A file seen to differ from the snapshot on the last poll: how it looked
  // then (or that it was missing).
  struct Candidate {
    bool present = false;
    Stat stat;
  };
  void settle_file(const std::string& path, const Stat* now, const Stat* known,
                   std::int64_t wall_ns, std::vector<Change>& out);

  std::chrono::nanoseconds writer_quiet_;
  std::set<std::string> dirs_;
  std::map<std::string, Candidate> candidates_;
};

}  // namespace hotmod::watch
