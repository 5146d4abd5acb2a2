// Reloading on save: a watcher on the module paths (and one on the sources
// of modules with a build rule) feeding a worker thread that builds and
// reloads. Only loaded modules are reloaded; other changes update discovery.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "hotmod/runtime.hpp"
#include "hotmod/watcher.hpp"
#include "runtime/core_fwd.hpp"

namespace hotmod::runtime {

class AutoReloader {
 public:
  explicit AutoReloader(runtime::Core& rt);
  ~AutoReloader();  // stop()
  AutoReloader(const AutoReloader&) = delete;
  AutoReloader& operator=(const AutoReloader&) = delete;

  // Starts both watchers and the worker; says which backend watches the modules.
  Result<WatchBackend> start();
  // Stops watching, cancels a running build and joins the worker. From the
  // worker itself (an on_reload callback turning dev mode off) it only asks
  // the worker to finish; the destructor, on another thread, joins it.
  void stop();
  bool on_worker_thread() const;
  // The barrier behind Runtime::sync(): creates a cookie file every watcher
  // watches and returns true once each watcher delivered it and the worker
  // finished the batch that was queued by then (everything the watchers saw
  // before the cookie). False when stopping, on the worker thread itself (it
  // cannot wait for itself), or after `limit`.
  bool sync(std::chrono::milliseconds limit);

 private:
  // The watchers, each of which passes a sync cookie on its own.
  enum CookieWatcher { modules_watcher, sources_watcher, headers_watcher, cookie_watchers };
  // True when `change` is a sync cookie, which is then noted as passed by
  // `from` (and handled no further).
  bool passed_cookie(const FileChange& change, CookieWatcher from);
  // The newest cookie every live watcher passed. Caller holds mu_.
  std::uint64_t cookies_passed() const;
  // Marks the header watcher live (from the cookies made by now on) or gone.
  void set_headers_live(bool live);

  void on_module_file(const FileChange& change);  // watcher threads
  void on_source_file(const FileChange& change);
  void on_header_file(const FileChange& change);
  // Queues the source modules built from `file` (a source in their folder
  // or any header they include); cancels a compile of one of them in
  // progress, since it is already out of date. Caller holds mu_.
  void queue_source_users(const std::filesystem::path& file);
  // Watches the folders of headers that source modules include outside the
  // module paths (the project's include dirs), following what builds found.
  void watch_headers();
  void work();  // the worker thread
  void process(const std::string& module, bool build, bool being_written);
  void announce_discovery();

  runtime::Core& rt_;
  std::unique_ptr<FileWatcher> modules_;
  std::unique_ptr<FileWatcher> sources_;  // null without build rules
  // Each rule's source globs made absolute (relative ones against the rule's
  // folder, ".." resolved), without the leading '/'.
  std::vector<std::pair<std::string, std::string>> source_globs_;  // {module, glob}

  std::mutex mu_;
  std::condition_variable wake_;
  std::map<std::string, bool> queued_;  // module -> needs a build; guarded
  // Queued modules whose file was last reported before its writer closed
  // it (FileChange::still_being_written); guarded.
  std::set<std::string> being_written_;
  bool rescan_ = false;              // guarded
  bool stopping_ = false;            // guarded
  std::atomic<bool> cancel_{false};  // stopping: ends the worker's batch
  // Stops the running build or compile: set when stopping, and when an edit
  // makes the compile in progress out of date (it starts again).
  std::atomic<bool> build_cancel_{false};
  std::string building_;                            // the module being built or compiled; guarded
  std::unique_ptr<FileWatcher> headers_;            // worker thread only
  std::vector<std::filesystem::path> header_dirs_;  // worker thread only
  std::uint64_t inputs_seen_ = ~std::uint64_t{0};   // worker thread only
  // When each rule's last build ran (end = max while it runs): what a build
  // writes into its own source globs must not start another build.
  struct Window {
    std::chrono::steady_clock::time_point start, end;
  };
  std::map<std::string, Window> builds_;  // guarded

  // Sync cookies: sync() creates <cookie_dir_>/cookie-<n>; every watcher
  // watches that folder as a root of its own.
  std::filesystem::path cookie_dir_;                 // empty: no syncs
  std::uint64_t cookies_made_ = 0;                   // guarded
  std::uint64_t cookie_seen_[cookie_watchers] = {};  // guarded
  bool cookie_live_[cookie_watchers] = {};           // guarded
  std::uint64_t synced_ = 0;                         // guarded
  std::condition_variable synced_cv_;                // synced_ grew, or stopping
  std::thread worker_;
};

// The folder a glob can match below: its leading components without
// wildcards ("src/physics/**/*.cpp" -> "src/physics").
std::filesystem::path glob_base(const std::string& glob);

}  // namespace hotmod::runtime
