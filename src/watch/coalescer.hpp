// Debouncing and merging: raw notifications for one path are gathered until
// the path has been quiet for the debounce interval, then turned into at
// most one FileChange.
//
// It judges by state, not by sequences of events: whether the path existed
// when its window opened, whether it exists now, and whether its content
// changed in between. created+modified = created, created+deleted = nothing,
// modified+deleted = deleted, deleted+created = modified all follow, with no
// table of pairs to keep consistent. A rename links the two paths; they are
// delivered together, as one `renamed` when the old path existed and the new
// one did not, otherwise as what each path went through (a rename onto an
// existing file is a `modified` of the target).
//
// A path being written (written() without closed()) is held back until it is
// closed, renamed or removed, or, for a writer that never closes, until it
// has been quiet for `writer_quiet` (and then says it is still being
// written). Paths saved or built (see Closing) skip the debounce once closed
// or renamed into place. Loop thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "hotmod/watcher.hpp"

namespace hotmod::watch {

using Clock = std::chrono::steady_clock;

class Coalescer {
 public:
  // How the watcher knows a path's writes are over.
  enum class Closing {
    debounced,  // when the path has been quiet for the debounce
    saved,      // an editor's save: kSaveSettle after it is closed after
                // writing or renamed into place, when the file was there
                // before (a new file is debounced: it may be a temporary
                // one, renamed away next); a removal waits the debounce
    built,      // a linker's output: the same, but a removal waits for the
                // file written in its place (replace_wait)
  };
  using ClosingOf = std::function<Closing(const std::string& path)>;
  // How long a save waits after its close: long enough to gather what
  // follows a close at once (a formatter's rewrite, `>` then `>>`, a
  // writer setting the mtime after closing), short against a compile.
  static constexpr Clock::duration kSaveSettle = std::chrono::milliseconds(5);
  // `replace_wait`: how long the removal of a built file waits for the file
  // written in its place (default: 4 × writer_quiet). No `closing_of`: every
  // path is debounced.
  Coalescer(Clock::duration debounce, Clock::duration writer_quiet, ClosingOf closing_of = {},
            Clock::duration replace_wait = {});

  // How long a change waits once its path is quiet: the debounce, or not at
  // all for changes that already settled (the polling backend saw the file
  // unchanged for a whole interval).
  enum class Pace { debounced, settled };

  // `path` exists now (created, moved in, found by a scan). `existed`: the
  // snapshot had it before. `renamed_from`: it was renamed from that path,
  // whose gone() was noted just before. `placed`: it was put in place whole
  // (renamed or hard-linked there), not found or created empty.
  void appeared(const std::string& path, bool is_dir, bool existed, Clock::time_point t,
                bool writing, Pace pace = Pace::debounced, const std::string& renamed_from = {},
                bool placed = false);
  // Written to in place (IN_MODIFY): held back until closed.
  void written(const std::string& path, Clock::time_point t);
  // The writer closed it; `content_changed` when its stat differs.
  void closed(const std::string& path, Clock::time_point t, bool content_changed);
  // Content changed without a writer to wait for (`touch`, a settled poll).
  void changed(const std::string& path, Clock::time_point t, Pace pace = Pace::debounced);
  // No longer there (deleted, or renamed away).
  void gone(const std::string& path, bool is_dir, Clock::time_point t, Pace pace = Pace::debounced);

  using Wanted = std::function<bool(const std::string& path)>;
  // The events whose paths are quiet at `now`, oldest first, leaving out
  // paths `wanted` rejects.
  std::vector<FileChange> take_due(Clock::time_point now, const Wanted& wanted);
  // When the next event is due; nullopt when nothing is pending.
  std::optional<Clock::time_point> next_due() const;
  bool empty() const { return pending_.empty(); }

 private:
  struct Pending {
    std::string path;
    bool is_dir = false;
    bool existed = false;  // when the window opened
    bool exists = false;   // now
    bool changed = false;  // content changed, or replaced, in the window
    bool writing = false;
    bool settled = false;
    bool saved = false;  // a save complete: due kSaveSettle after `last`
    // A built file removed: the file written in its place is waited for, for replace_wait (lld and
    // mold remove the old output when they start linking, not when they finish).
    bool replaced_soon = false;
    std::string renamed_from;  // this path came from there...
    std::string moved_to;      // ...and this one went there
    Clock::time_point last{};
    std::uint64_t order = 0;
    bool done = false;
  };

  Pending& touch(const std::string& path, bool is_dir, bool existed, Clock::time_point t,
                 Pace pace);
  Closing closing(const std::string& path) const {
    return closing_of_ ? closing_of_(path) : Closing::debounced;
  }
  // Closed after writing, or renamed into place: when it is due.
  void complete(Pending& p);
  Pending* find(const std::string& path);
  const Pending* partner(const Pending& p) const;
  Clock::time_point due(const Pending& p) const;
  void link(Pending& target, const std::string& source);
  void emit(const Pending& p, const Wanted& wanted, std::vector<FileChange>& out) const;
  void emit_pair(const Pending& from, const Pending& to, const Wanted& wanted,
                 std::vector<FileChange>& out) const;

  Clock::duration debounce_;
  Clock::duration writer_quiet_;
  Clock::duration replace_wait_;
  ClosingOf closing_of_;
  std::unordered_map<std::string, Pending> pending_;
  std::uint64_t order_ = 0;
};

}  // namespace hotmod::watch
