// The quarantine: module files that crashed, by content hash, remembered
// across restarts in <state_dir>/quarantine.json, so a module that crashes
// its host under a service manager is not loaded again on every restart —
// only once its file changes (a new build has another hash).
//
//   {"quarantined": [{"hash": "9f0c…", "module": "greeter", "version": "2.0.0",
//                     "crashed_at": "2026-12-07T00:41:02Z", "why": "call to …"}]}
//
// Several processes may share the file: an entry is added by reading it
// again and replacing it whole (write_file_atomically) under a lock on
// quarantine.json.lock, and a lookup reads it again only when its size or
// mtime changed (looked at once a second at most). Deleting an entry (or
// the file) lets the module load again. At most kKept entries, the oldest
// go.
//
// Thread-safety: every member may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace hotmod::runtime {

class Quarantine {
 public:
  static constexpr std::size_t kKept = 256;

  struct Entry {
    std::uint64_t hash = 0;
    std::string module;
    std::string version;
    std::string crashed_at;  // UTC, ISO 8601
    std::string why;         // the crash's message
  };

  // `state_dir` empty: $XDG_STATE_HOME/hotmod, else ~/.local/state/hotmod;
  // with neither variable set, nothing is remembered past this process.
  explicit Quarantine(std::filesystem::path state_dir);

  std::optional<Entry> find(std::uint64_t hash);
  // Remembers `e` (crashed_at filled in when empty) unless its hash is
  // already quarantined. The problem when the file could not be written;
  // the entry is remembered in this process anyway.
  std::optional<std::string> add(Entry e);
  // Where it is kept; empty when nowhere.
  const std::filesystem::path& file() const { return file_; }

 private:
  // Reads the file again when it changed; unless `now`, at most once a
  // kRecheck.
  void reread_locked(bool now);
  static constexpr std::chrono::seconds kRecheck{1};
  static constexpr std::chrono::seconds kLockWait{10};

  std::filesystem::path file_;
  std::mutex mu_;
  std::vector<Entry> entries_;   // guarded by mu_, oldest first: the file's and unsaved_
  std::vector<Entry> unsaved_;   // guarded by mu_: added here, not yet written
  std::int64_t seen_size_ = -2;  // guarded by mu_: of the file last read (-1: none)
  std::int64_t seen_mtime_ns_ = 0;
  std::chrono::steady_clock::time_point checked_{};  // guarded by mu_: the last stat
};

// "9f0c1a…": the hash as the file and the messages write it.
std::string hash_text(std::uint64_t hash);

}  // namespace hotmod::runtime
