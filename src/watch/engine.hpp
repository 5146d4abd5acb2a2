// The watcher's engine: the tree snapshot, the folders and which backend
// watches each, the translation of kernel notifications and polled
// differences into raw changes, and the coalescer that turns those into
// FileChanges.
//
// Threading: everything here runs on the watcher's loop thread (the loop
// calls in; see watch_loop.hpp). Delivered events leave through `Deliver`;
// the count of polled folders through an atomic the public API reads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hotmod/watcher.hpp"
#include "watch/coalescer.hpp"
#include "watch/inotify_backend.hpp"
#include "watch/notices.hpp"
#include "watch/poll_backend.hpp"
#include "watch/scope.hpp"
#include "watch/tree_snapshot.hpp"

namespace hotmod::watch {

// A writer that never closes its file (a log, a tool holding it open) is
// reported once the file has been quiet this long; a file a scan finds
// modified more recently than this may still be being written.
inline constexpr std::chrono::milliseconds kWriterQuiet{250};

class Engine {
 public:
  using Deliver = std::function<void(std::vector<FileChange>&&)>;
  Engine(const WatchOptions& options, Notices& notices, Deliver deliver,
         std::atomic<std::size_t>& polled);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Chooses the backends, watches the roots and records the tree as it is,
  // reporting nothing. An error names the root that cannot be watched.
  Result<WatchBackend> start();

  int kernel_fd() const { return kernel_ ? kernel_->fd() : -1; }
  // The inotify descriptor is readable.
  void on_kernel_readable();
  // The time next_due() named has come.
  void on_due();
  // Every poll interval while polling() is true.
  void on_poll_tick();

  std::optional<Clock::time_point> next_due() const { return coalescer_.next_due(); }
  // True while some folder is polled or some root is missing.
  bool polling() const;
  std::chrono::milliseconds poll_interval() const;

 private:
  using Pace = Coalescer::Pace;
  using Changes = std::vector<PollBackend::Change>;

  // engine.cpp: set-up, backend choice, delivery.
  FolderBackend* backend_for_root(const std::string& dir);
  FolderBackend* backend_below(FolderBackend* parent, const std::string& dir,
                               std::uint64_t parent_device, const Stat& stat);
  FolderBackend* backend_of_parent(const std::string& path);
  void limit_reached(const std::string& dir, int error);
  void flush(Clock::time_point now);
  void count_polled();

  // engine_tree.cpp: adding, removing and renaming folders and subtrees.
  void activate_root(Root& root, Clock::time_point t, bool report);
  void check_missing_roots(Clock::time_point t);
  void add_tree(const std::string& dir, FolderBackend* backend, Clock::time_point t, bool report);
  FolderBackend* attach(const std::string& dir, FolderBackend* preferred);
  void remove_tree(const std::string& path, Clock::time_point t, Pace pace = Pace::debounced);
  void unwatch(const std::string& dir);
  void folder_appeared(const std::string& path, Clock::time_point t, Pace pace);
  void renamed(const std::string& from, const std::string& to, bool is_dir, Clock::time_point t,
               Pace pace);
  void rename_folder(const std::string& from, const std::string& to, Clock::time_point t,
                     Pace pace);

  // engine_kernel.cpp: inotify notifications.
  void apply(std::vector<InotifyBackend::Event>& batch, std::size_t i, Clock::time_point t);
  bool find_move_target(std::vector<InotifyBackend::Event>& batch, std::size_t from,
                        std::size_t& to);
  void on_moved_from(std::vector<InotifyBackend::Event>& batch, std::size_t i,
                     const std::string& path, Clock::time_point t);
  void on_created(const std::string& path, bool is_dir, Clock::time_point t);
  void on_written(const std::string& path, Clock::time_point t);
  void on_closed(const std::string& path, Clock::time_point t);
  void on_attrib(const std::string& path, Clock::time_point t);
  void on_moved_in(const std::string& path, bool is_dir, Clock::time_point t);
  void on_folder_lost(const std::string& dir, Clock::time_point t);

  // engine_poll.cpp: polled folders, and rescans after an overflow.
  void poll_folder(const std::string& dir, bool settle, Clock::time_point t, Changes& out);
  void apply_polled(Changes& changes, Clock::time_point t, Pace pace);
  void rescan(Clock::time_point t);

  const WatchOptions& options_;
  Notices& notices_;
  Deliver deliver_;
  std::atomic<std::size_t>& polled_;
  Scope scope_;
  TreeSnapshot tree_;
  Coalescer coalescer_;
  std::unique_ptr<InotifyBackend> kernel_;
  PollBackend poll_;
  std::map<std::string, FolderBackend*> folders_;  // every watched folder
  bool overflow_ = false;
};

}  // namespace hotmod::watch
