// Engine: polled folders, missing roots, and rescans after the kernel's
// queue overflowed. Both diff folder listings against the snapshot.
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <unordered_map>

#include "watch/engine.hpp"
#include "watch/paths.hpp"

namespace hotmod::watch {
namespace {

struct Identity {
  std::uint64_t device;
  std::uint64_t inode;
  bool operator==(const Identity&) const = default;
};
struct IdentityHash {
  std::size_t operator()(const Identity& id) const { return id.inode * 31 + id.device; }
};

}  // namespace

void Engine::on_poll_tick() {
  Clock::time_point t = Clock::now();
  Changes changes;
  // A copy: applying changes adds and removes polled folders.
  std::vector<std::string> dirs(poll_.dirs().begin(), poll_.dirs().end());
  for (const std::string& dir : dirs) {
    auto folder = folders_.find(dir);
    if (folder != folders_.end() && folder->second == &poll_) poll_folder(dir, true, t, changes);
  }
  apply_polled(changes, t, Pace::settled);
  check_missing_roots(t);
  flush(Clock::now());
}

void Engine::poll_folder(const std::string& dir, bool settle, Clock::time_point t, Changes& out) {
  std::vector<DirEntry> entries;
  if (int error = list_dir(dir, entries); error != 0) {
    if (error == ENOENT || error == ENOTDIR) {
      // A root's folder went (nothing above it is watched to say so); any
      // other folder is seen gone by its parent.
      if (scope_.is_base(dir)) remove_tree(dir, t, settle ? Pace::settled : Pace::debounced);
      return;
    }
    notices_.once("unreadable", LogLevel::warn,
                  fmt::format("cannot read '{}': {}; it is left out", dir, std::strerror(error)));
    unwatch(dir);
    return;
  }
  const TreeSnapshot::Children* known = tree_.children(dir);
  std::erase_if(entries, [&](const DirEntry& entry) {
    // What the snapshot holds passed the filters already: only new names
    // are matched against the globs (this runs for every file every poll).
    if (known != nullptr) {
      auto seen = known->find(entry.name);
      if (seen != known->end() && seen->second.is_dir == entry.stat.is_dir) return false;
    }
    std::string path = join_path(dir, entry.name);
    return entry.stat.is_dir ? !scope_.descend(path) : !scope_.wanted(path);
  });
  poll_.diff(dir, entries, known, settle, out);
}

// Applies polled differences. A path gone and another appeared in one poll
// with the same device and inode, and for a file the same size and
// nanosecond mtime, is a rename: file systems hand a freed inode number to
// the next new file at once, so the inode alone would turn a delete and a
// create into a rename.
void Engine::apply_polled(Changes& changes, Clock::time_point t, Pace pace) {
  if (changes.empty()) return;
  std::unordered_map<Identity, std::size_t, IdentityHash> appeared;
  for (std::size_t i = 0; i < changes.size(); ++i)
    if (changes[i].kind == PollBackend::Change::appeared)
      appeared.emplace(Identity{changes[i].stat.device, changes[i].stat.inode}, i);
  std::vector<bool> done(changes.size(), false);
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const PollBackend::Change& gone = changes[i];
    if (gone.kind != PollBackend::Change::gone) continue;
    auto match = appeared.find(Identity{gone.stat.device, gone.stat.inode});
    if (match == appeared.end() || done[match->second] ||
        !changes[match->second].stat.same_content(gone.stat))
      continue;
    done[i] = done[match->second] = true;
    renamed(gone.path, changes[match->second].path, gone.stat.is_dir, t, pace);
  }
  // What is gone first, so a folder replaced by a file of the same name (or
  // the reverse) is removed before its successor is recorded.
  auto apply_each = [&](PollBackend::Change::Kind kind) {
    for (std::size_t i = 0; i < changes.size(); ++i) {
      const PollBackend::Change& c = changes[i];
      if (done[i] || c.kind != kind) continue;
      done[i] = true;
      if (kind == PollBackend::Change::gone) {
        remove_tree(c.path, t, pace);
      } else if (c.stat.is_dir) {
        folder_appeared(c.path, t, pace);
      } else if (kind == PollBackend::Change::modified) {
        tree_.set(c.path, c.stat);
        coalescer_.changed(c.path, t, pace);
      } else {
        bool existed = tree_.find(c.path) != nullptr;
        tree_.set(c.path, c.stat);
        coalescer_.appeared(c.path, false, existed, t, false, pace);
      }
    }
  };
  apply_each(PollBackend::Change::gone);
  apply_each(PollBackend::Change::modified);
  apply_each(PollBackend::Change::appeared);
}

// The kernel dropped notifications (IN_Q_OVERFLOW): what happened in the
// meantime can only be found by looking.
void Engine::rescan(Clock::time_point t) {
  std::ifstream limit("/proc/sys/fs/inotify/max_queued_events");
  std::string queued;
  limit >> queued;
  notices_.once("overflow", LogLevel::warn,
                fmt::format("the kernel's queue of change notifications overflowed "
                            "(fs.inotify.max_queued_events = {}): rescanning the watched folders. "
                            "If this repeats, raise it: sudo sysctl "
                            "fs.inotify.max_queued_events=65536",
                            queued.empty() ? std::string("?") : queued));
  Changes changes;
  std::vector<std::string> dirs;
  for (const auto& [dir, backend] : folders_)
    if (backend == kernel_.get()) dirs.push_back(dir);
  for (const std::string& dir : dirs)
    if (folders_.count(dir) != 0) poll_folder(dir, false, t, changes);
  apply_polled(changes, t, Pace::debounced);
}

}  // namespace hotmod::watch
