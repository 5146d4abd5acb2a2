// Engine: adding, removing and renaming watched folders and whole subtrees,
// and roots that go missing and come back.
#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "watch/engine.hpp"
#include "watch/paths.hpp"

namespace hotmod::watch {
namespace {

std::int64_t wall_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void Engine::activate_root(Root& root, Clock::time_point t, bool report) {
  std::optional<Stat> st = stat_path(root.path);  // a root may be a link: follow it
  if (!st) return;
  if (st->is_dir) {
    root.kind = RootKind::folder;
    if (tree_.find(root.path) == nullptr) {
      tree_.set(root.path, *st);
      if (report) coalescer_.appeared(root.path, true, false, t, false);
    }
    add_tree(root.path, backend_for_root(root.path), t, report);
  } else {
    // A file: its folder is watched, without subfolders, for this file.
    root.kind = RootKind::file;
    const std::string dir = root.base();
    std::optional<Stat> parent = stat_path(dir);
    if (!parent || !parent->is_dir) return;
    add_tree(dir, backend_for_root(dir), t, report);
  }
  root.active = folders_.count(root.base()) != 0;
}

void Engine::check_missing_roots(Clock::time_point t) {
  for (Root& root : scope_.roots())
    if (!root.active) activate_root(root, t, true);
}

// Watches `top` and every folder below it that the scope descends into, and
// records what they hold. With `report`, what is found is new (a folder that
// was created or moved in, a root that came back) and reported as created:
// a file created in a new folder before its watch existed is not missed.
// The watch is added before the folder is listed, so nothing falls between.
void Engine::add_tree(const std::string& top, FolderBackend* backend, Clock::time_point t,
                      bool report) {
  struct Item {
    std::string dir;
    FolderBackend* backend;
    std::uint64_t device;
  };
  std::optional<Stat> top_stat = stat_path(top);
  std::vector<Item> stack{{top, backend, top_stat ? top_stat->device : 0}};
  std::vector<DirEntry> entries;
  while (!stack.empty()) {
    Item item = std::move(stack.back());
    stack.pop_back();
    FolderBackend* used = attach(item.dir, item.backend);
    if (used == nullptr) continue;
    if (report && used == &poll_) {
      // New files in a polled folder settle like every polled change.
      Changes changes;
      poll_folder(item.dir, true, t, changes);
      apply_polled(changes, t, Pace::settled);
      continue;
    }
    if (int error = list_dir(item.dir, entries); error != 0) {
      if (error != ENOENT && error != ENOTDIR) {
        notices_.once(
            "unreadable", LogLevel::warn,
            fmt::format("cannot read '{}': {}; it is left out", item.dir, std::strerror(error)));
        unwatch(item.dir);
      }
      continue;  // gone already: its removal is on its way
    }
    // Found entries carry the time of the notification that led here, not
    // the time of the scan: what was read earlier is never delivered later.
    const std::int64_t wall_ns = report ? wall_clock_ns() : 0;
    for (const DirEntry& entry : entries) {
      std::string path = join_path(item.dir, entry.name);
      if (entry.stat.is_dir) {
        if (!scope_.descend(path)) continue;
        if (tree_.find(path) == nullptr) {
          tree_.set(path, entry.stat);
          if (report) coalescer_.appeared(path, true, false, t, false);
        }
        FolderBackend* below = backend_below(used, path, item.device, entry.stat);
        stack.push_back(Item{std::move(path), below, entry.stat.device});
      } else if (scope_.wanted(path) && tree_.find(path) == nullptr) {
        tree_.set(path, entry.stat);
        // Just created and still empty: most likely caught between its
        // open(O_CREAT) and the first write. It waits for its close (the
        // watch is already there to see it) or the writer's quiet period.
        // A file caught halfway through is held by the writes that follow.
        bool opened =
            entry.stat.regular && entry.stat.size == 0 &&
            wall_ns - entry.stat.mtime_ns < std::chrono::nanoseconds(kWriterQuiet).count();
        if (report) coalescer_.appeared(path, false, false, t, opened);
      }
    }
  }
  count_polled();
}

// The backend now watching `dir`: `preferred`, or the polling backend when
// the kernel refuses (watch limit); null when it cannot be watched at all.
FolderBackend* Engine::attach(const std::string& dir, FolderBackend* preferred) {
  if (auto known = folders_.find(dir); known != folders_.end()) return known->second;
  const bool is_root = scope_.is_base(dir);
  if (kernel_ && preferred == kernel_.get()) {
    FolderBackend::AddResult added = kernel_->add(dir, is_root);
    switch (added.status) {
      case FolderBackend::Added::ok:
        folders_.emplace(dir, kernel_.get());
        return kernel_.get();
      case FolderBackend::Added::limit:
        limit_reached(dir, added.error);
        break;
      case FolderBackend::Added::gone:
        return nullptr;
      case FolderBackend::Added::denied:
        notices_.once("denied", LogLevel::warn,
                      fmt::format("cannot watch '{}': permission denied; it is left out", dir));
        return nullptr;
      case FolderBackend::Added::failed:
        notices_.once(
            "add_watch", LogLevel::warn,
            fmt::format("cannot watch '{}' with inotify ({}): polling it", dir,
                        added.error == EEXIST ? "the same folder is watched under another name"
                                              : std::strerror(added.error)));
        break;
    }
  }
  poll_.add(dir, is_root);
  folders_.emplace(dir, &poll_);
  return &poll_;
}

// `path` (a file, or a folder with everything below it) is no longer there:
// each entry is reported gone, children first, and its watches are dropped.
void Engine::remove_tree(const std::string& path, Clock::time_point t, Pace pace) {
  tree_.erase(
      path, [&](const std::string& p, const Stat& st) { coalescer_.gone(p, st.is_dir, t, pace); });
  unwatch(path);
}

void Engine::unwatch(const std::string& dir) {
  for (const std::string& folder : keys_within(folders_, dir)) {
    folders_[folder]->remove(folder);
    folders_.erase(folder);
  }
  // A root whose folder went is looked for again every poll interval.
  for (Root& root : scope_.roots())
    if (root.active && folders_.count(root.base()) == 0) root.active = false;
  count_polled();
}

// A folder was created or moved in: report it and everything in it.
void Engine::folder_appeared(const std::string& path, Clock::time_point t, Pace pace) {
  std::optional<Stat> st = lstat_path(path);
  if (!st || !st->is_dir) return;
  const Stat* known = tree_.find(path);
  if (known != nullptr && known->same_content(*st) && folders_.count(path) != 0)
    return;  // the scan of its parent found it already
  bool existed = known != nullptr;
  tree_.set(path, *st);
  coalescer_.appeared(path, true, existed, t, false, pace);
  add_tree(path, backend_of_parent(path), t, true);
}

// rename(2) from one watched path to another. What is reported depends on
// the scope: out of it is a deletion, into it a creation.
void Engine::renamed(const std::string& from, const std::string& to, bool is_dir,
                     Clock::time_point t, Pace pace) {
  if (is_dir) {
    bool tracked = folders_.count(from) != 0;
    bool wanted = scope_.descend(to);
    if (tracked && wanted)
      rename_folder(from, to, t, pace);
    else if (tracked)
      remove_tree(from, t, pace);
    else if (wanted)
      folder_appeared(to, t, pace);
    return;
  }
  std::optional<Stat> old;
  if (const Stat* known = tree_.find(from)) {
    old = *known;
    tree_.erase(from);
    coalescer_.gone(from, false, t, pace);
  }
  if (!scope_.wanted(to)) return;
  std::optional<Stat> now = lstat_path(to);
  if (!now) now = old;  // renamed on again already: that rename follows
  if (!now || now->is_dir) return;
  bool existed = tree_.find(to) != nullptr;
  tree_.set(to, *now);
  coalescer_.appeared(to, false, existed, t, false, pace, old ? from : std::string(),
                      /*placed=*/true);
}

// A watched folder renamed within the tree: its watches follow it (only
// their names change), and it and everything below it are reported renamed.
void Engine::rename_folder(const std::string& from, const std::string& to, Clock::time_point t,
                           Pace pace) {
  if (tree_.find(to) != nullptr || folders_.count(to) != 0)
    remove_tree(to, t, pace);  // rename(2) may replace an empty folder
  std::vector<std::pair<std::string, Stat>> moved;
  if (const Stat* self = tree_.find(from)) moved.emplace_back(from, *self);
  tree_.walk(from, [&](const std::string& p, const Stat& st) { moved.emplace_back(p, st); });
  tree_.erase(from);
  for (const auto& [old, st] : moved) coalescer_.gone(old, st.is_dir, t, pace);
  for (const auto& [old, st] : moved) {
    std::string now = rebase(old, from, to);
    if (!st.is_dir && !scope_.wanted(now)) continue;  // the filters may judge it differently there
    tree_.set(now, st);
    coalescer_.appeared(now, st.is_dir, false, t, false, pace, old);
  }
  for (const std::string& folder : keys_within(folders_, from)) {
    auto node = folders_.extract(folder);
    node.key() = rebase(folder, from, to);
    folders_.insert(std::move(node));
  }
  if (kernel_) kernel_->rename(from, to);
  poll_.rename(from, to);
  // A root that was inside is no longer at its path: look for it again.
  for (Root& root : scope_.roots())
    if (root.active && is_within(root.base(), from)) root.active = false;
  count_polled();
}

}  // namespace hotmod::watch
