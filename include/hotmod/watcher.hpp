// hotmod/watcher.hpp — file watching, usable on its own.
//
//   hotmod::WatchOptions opts;
//   opts.paths = {"src", "assets/shaders"};
//   opts.exclude = {"*.bak"};
//   hotmod::FileWatcher watcher(opts);
//   if (auto started = watcher.start(); !started) die(started.error().message);
//   while (auto change = watcher.wait_for_change())
//     std::printf("%s %s\n", hotmod::to_string(change->kind).data(), change->path.c_str());
//
// Folders are watched recursively: subfolders created later are picked up,
// deleted ones dropped; a deleted watched root is looked for again every poll
// interval and watched anew when it comes back (a clean build removes and
// recreates its output folders).
//
// Events are debounced per path: raw notifications for one path are merged
// until it has been quiet for `debounce`, then one event is delivered. An
// in-place save and an atomic save (write a temporary file, rename it over
// the target) each give exactly one `modified` for the target; delete then
// create gives `modified`; a file created and removed within the window gives
// nothing. A file still open for writing is reported once it is closed or
// renamed into place, so a half-written file is never reported as ready. A
// change of permissions or owner alone is not a change.
//
// Thread-safety: every member function may be called from any thread.
// Callbacks run on the watcher's thread, in event order; they may call any
// member, including stop() (which then returns without waiting for itself).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hotmod/context.hpp"
#include "hotmod/value.hpp"

namespace hotmod {

enum class ChangeKind { created, modified, deleted, renamed };
std::string_view to_string(ChangeKind kind);

struct FileChange {
  ChangeKind kind = ChangeKind::modified;
  // Absolute: the watched path as given (made absolute, lexically normal)
  // joined with the changed file's path below it.
  std::filesystem::path path;
  std::filesystem::path old_path;  // renamed: where it was
  bool is_directory = false;
  // When the last raw notification for it arrived (kernel) or the poll that
  // saw it settled (polling): measure latency against this.
  std::chrono::steady_clock::time_point time{};
  // Reported because the file was quiet for a while although its writer had
  // not closed it yet: it may be incomplete (GNU ld creates its output long
  // before it writes it). The close that follows is reported again.
  bool still_being_written = false;
};

enum class WatchBackend {
  automatic,  // kernel notifications, except on file systems that do not
              // deliver them (NFS, SMB/CIFS, FUSE, 9p, vboxsf): polled there
  kernel,     // inotify; folders beyond the kernel's watch limit are polled
  polling,    // stat() the tree every poll_interval
};
std::string_view to_string(WatchBackend backend);
// "auto" / "automatic", "kernel", "polling" (or "poll"); nullopt otherwise.
std::optional<WatchBackend> parse_watch_backend(std::string_view text);

struct WatchOptions {
  // Files or folders; folders are watched recursively. A path that does not
  // exist yet is waited for (checked every poll_interval).
  std::vector<std::filesystem::path> paths;
  // Globs matched against the path relative to its watched root, '/'
  // separated: '*' and '?' stay within one component, '**' spans any number
  // of components, '[abc]' a character class. A glob without '/' matches the
  // last component at any depth ("*.cpp"). Excluding a folder excludes
  // everything below it. Empty `include` = everything.
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  bool default_excludes = true;  // add default_excludes() to `exclude`
  // 0: deliver as soon as read. Otherwise delivered within a millisecond of
  // the quiet window's end (libuv's timers count whole milliseconds).
  std::chrono::milliseconds debounce{30};
  // Files matching these globs (matched like `include`) are complete once
  // their writer closes them or renames them into place, as a linker's
  // output is: such a change is delivered at once, without the debounce. A
  // deletion waits for the file written in its place (lld and mold remove
  // the old output when they start linking), then reports a modification.
  std::vector<std::string> complete_on_close;
  // Files an editor saves (sources, headers, scripts): complete, as above,
  // once closed after writing or renamed into place, and delivered 5 ms
  // later (the debounce, if shorter), which gathers a formatter's rewrite;
  // a new file, which may be a temporary one renamed away next, and a
  // deletion wait the debounce. A "save all" is then several events a few
  // milliseconds apart, not one.
  std::vector<std::string> saved_on_close;
  WatchBackend backend = WatchBackend::automatic;
  std::chrono::milliseconds poll_interval{100};
  // At most this many kernel watches (one per folder); folders beyond are
  // polled. 0: as many as the kernel allows (fs.inotify.max_user_watches).
  // Lower it to share the limit with other tools, or to test the fallback.
  std::size_t max_kernel_watches = 0;
  // Notices (watch limit reached, backend chosen for a file system); default:
  // stderr. Each kind of notice is given once per watcher.
  std::function<void(LogLevel, std::string_view)> log;
  // Queued events kept for wait_for_change()/drain_events(); beyond, the
  // oldest are dropped (callbacks still see every event).
  std::size_t max_queued = 4096;
};

// Version control folders, build folders and editor files:
// .git .hg .svn build cmake-build-* CMakeFiles *.swp *.swo *.swx *~ .#* #*#
// 4913 *.tmp
std::vector<std::string> default_excludes();

// True when `glob` (syntax above) matches `relative` ('/' separated).
bool glob_match(std::string_view glob, std::string_view relative);

class FileWatcher {
 public:
  explicit FileWatcher(WatchOptions options);
  ~FileWatcher();  // stops
  FileWatcher(const FileWatcher&) = delete;
  FileWatcher& operator=(const FileWatcher&) = delete;

  // Scans the paths and starts the watcher's thread. Returns the backend in
  // use; an error names the path and the reason (e.g. inotify instances
  // exhausted, with the sysctl that raises the limit — then it falls back to
  // polling instead of failing). Starting a started watcher does nothing.
  Result<WatchBackend> start();
  // Stops the thread; queued events stay until drained. Wakes waiters.
  void stop();
  bool is_watching() const;

  // Folders polled because the kernel's limit was reached or their file
  // system gives no notifications (0 with the polling backend: all are).
  std::size_t polled_folders() const;

  // The next event, waiting for one; nullopt once the watcher is stopped.
  std::optional<FileChange> wait_for_change();
  // The same, giving up after `timeout`.
  std::optional<FileChange> wait_for_change(std::chrono::milliseconds timeout);
  // Every queued event, without waiting.
  std::vector<FileChange> drain_events();

  // Callbacks run in the order added; one that throws is logged (through
  // WatchOptions::log) and the others still run. remove_on_change() waits
  // while the callback runs on another thread, so what it captured may go
  // once it returns; from inside a callback it returns at once.
  using Callback = std::function<void(const FileChange&)>;
  std::uint64_t on_change(Callback callback);
  void remove_on_change(std::uint64_t id);

  const WatchOptions& options() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace hotmod
