// Engine: turning inotify notifications into raw changes.
//
// Every handler checks the path's state with lstat rather than trusting the
// event alone: by the time an event is read the file may be gone, replaced
// or renamed again, and the snapshot must follow the disk, not the queue.
#include <sys/inotify.h>

#include "watch/engine.hpp"
#include "watch/paths.hpp"

namespace hotmod::watch {

void Engine::on_kernel_readable() {
  std::vector<InotifyBackend::Event> batch;
  // Read all that is queued (bounded, so a flood cannot starve the loop):
  // rename(2) queues both of its halves before it returns, so they land in
  // one batch and can be paired.
  for (int reads = 0; reads < 64 && kernel_->read(batch); ++reads) {
  }
  Clock::time_point t = Clock::now();
  for (std::size_t i = 0; i < batch.size(); ++i) apply(batch, i, t);
  if (overflow_) {
    overflow_ = false;
    rescan(t);
  }
  flush(Clock::now());
}

void Engine::apply(std::vector<InotifyBackend::Event>& batch, std::size_t i, Clock::time_point t) {
  const InotifyBackend::Event& e = batch[i];
  if (e.mask == 0) return;  // the second half of a rename, applied with the first
  if (e.mask & IN_Q_OVERFLOW) {
    overflow_ = true;
    return;
  }
  const std::string* dir_name = kernel_->folder_of(e.wd);
  if (dir_name == nullptr) return;  // a folder no longer watched
  const std::string dir = *dir_name;
  if (e.mask & IN_IGNORED) {
    kernel_->forget(e.wd);
    on_folder_lost(dir, t);
    return;
  }
  if (e.mask & (IN_DELETE_SELF | IN_UNMOUNT)) {
    on_folder_lost(dir, t);
    return;
  }
  if (e.mask & IN_MOVE_SELF) {
    // Folders below a root are renamed through their parent's events; only
    // a root's own folder (whose parent is not watched) is lost this way.
    if (scope_.is_base(dir)) on_folder_lost(dir, t);
    return;
  }
  if (e.name.empty()) return;
  const std::string path = join_path(dir, e.name);
  const bool is_dir = (e.mask & IN_ISDIR) != 0;
  if (e.mask & IN_MOVED_FROM)
    on_moved_from(batch, i, path, t);
  else if (e.mask & IN_MOVED_TO)
    on_moved_in(path, is_dir, t);
  else if (e.mask & IN_CREATE)
    on_created(path, is_dir, t);
  else if (e.mask & IN_DELETE)
    remove_tree(path, t);
  else if (is_dir)
    return;  // a folder's own attributes and timestamps are not changes
  else if (e.mask & IN_MODIFY)
    on_written(path, t);
  else if (e.mask & IN_CLOSE_WRITE)
    on_closed(path, t);
  else if (e.mask & IN_ATTRIB)
    on_attrib(path, t);
}

// The IN_MOVED_TO with the same cookie as batch[from], usually right after
// it. Reads once more when it is not in the batch yet.
bool Engine::find_move_target(std::vector<InotifyBackend::Event>& batch, std::size_t from,
                              std::size_t& to) {
  const std::uint32_t cookie = batch[from].cookie;
  for (int attempt = 0; attempt < 2; ++attempt) {
    for (std::size_t j = from + 1; j < batch.size(); ++j)
      if ((batch[j].mask & IN_MOVED_TO) && batch[j].cookie == cookie) {
        to = j;
        return true;
      }
    if (attempt == 0 && !kernel_->read(batch)) return false;
  }
  return false;
}

void Engine::on_moved_from(std::vector<InotifyBackend::Event>& batch, std::size_t i,
                           const std::string& path, Clock::time_point t) {
  const bool is_dir = (batch[i].mask & IN_ISDIR) != 0;
  std::size_t j = 0;
  if (find_move_target(batch, i, j)) {
    batch[j].mask = 0;
    if (const std::string* dir = kernel_->folder_of(batch[j].wd)) {
      renamed(path, join_path(*dir, batch[j].name), is_dir, t, Pace::debounced);
      return;
    }
  }
  remove_tree(path, t);  // moved out of the watched tree (or into an unwatched folder)
}

void Engine::on_moved_in(const std::string& path, bool is_dir, Clock::time_point t) {
  if (is_dir) {
    if (!scope_.descend(path)) return;
    if (tree_.find(path) != nullptr || folders_.count(path) != 0)
      remove_tree(path, t);  // replaced an empty folder
    folder_appeared(path, t, Pace::debounced);
    return;
  }
  renamed(std::string(), path, false, t, Pace::debounced);
}

void Engine::on_created(const std::string& path, bool is_dir, Clock::time_point t) {
  if (is_dir) {
    if (scope_.descend(path)) folder_appeared(path, t, Pace::debounced);
    return;
  }
  if (!scope_.wanted(path)) return;
  std::optional<Stat> st = lstat_path(path);
  if (!st || st->is_dir) return;  // gone again: its IN_DELETE follows
  const Stat* known = tree_.find(path);
  if (known != nullptr && known->same_content(*st)) return;  // found by its folder's scan
  bool existed = known != nullptr;
  tree_.set(path, *st);
  // A new regular file is being written until it is closed. A hard link, a
  // symbolic link or a special file is complete as it appears.
  bool writing = st->regular && st->links == 1;
  coalescer_.appeared(path, false, existed, t, writing, Pace::debounced, {}, /*placed=*/!writing);
}

void Engine::on_written(const std::string& path, Clock::time_point t) {
  if (!scope_.wanted(path)) return;
  if (tree_.find(path) != nullptr) {
    coalescer_.written(path, t);  // stat'ed when closed, not on every write
    return;
  }
  std::optional<Stat> st = lstat_path(path);
  if (!st || st->is_dir) return;
  tree_.set(path, *st);
  coalescer_.appeared(path, false, false, t, true);
}

void Engine::on_closed(const std::string& path, Clock::time_point t) {
  if (!scope_.wanted(path)) return;
  std::optional<Stat> st = lstat_path(path);
  if (!st || st->is_dir) return;  // renamed or removed already: that event follows
  const Stat* known = tree_.find(path);
  if (known == nullptr) {
    tree_.set(path, *st);
    coalescer_.appeared(path, false, false, t, false);
    return;
  }
  bool changed = !known->same_content(*st);
  tree_.set(path, *st);
  coalescer_.closed(path, t, changed);
}

// Attributes: `touch` changes the mtime and is a change; chmod and chown
// change only the ctime and are not.
void Engine::on_attrib(const std::string& path, Clock::time_point t) {
  if (!scope_.wanted(path)) return;
  std::optional<Stat> st = lstat_path(path);
  if (!st || st->is_dir) return;
  const Stat* known = tree_.find(path);
  if (known != nullptr && known->same_content(*st)) return;
  bool existed = known != nullptr;
  tree_.set(path, *st);
  if (existed)
    coalescer_.changed(path, t);
  else
    coalescer_.appeared(path, false, false, t, false);
}

void Engine::on_folder_lost(const std::string& dir, Clock::time_point t) {
  if (folders_.count(dir) != 0) remove_tree(dir, t);
}

}  // namespace hotmod::watch
