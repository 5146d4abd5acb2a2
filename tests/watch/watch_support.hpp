// watch_support.hpp — what the watcher's tests share: file helpers that do
// what editors do, and a fixture that runs a FileWatcher on a temporary tree
// and collects its events up to a sync barrier.
//
// The barrier (as in watchman's tests): sync() rewrites a cookie file the
// watcher also watches (a root of its own, so include and exclude globs do
// not apply to it) and returns every event delivered before the cookie's. Changes made before the
// cookie was created are delivered no later than it, so sync() sees all of them and no sleep
// guesses how long the watcher may take.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "hotmod/watcher.hpp"
#include "temp_dir_common.hpp"

namespace hotmod_watch {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Strings = std::vector<std::string>;

// Writes `text` to `path` in place (O_TRUNC, one write, close), the way an
// editor without atomic saves does; creates the file when missing.
void write_file(const fs::path& path, std::string_view text);
// An atomic save: `text` goes to `temp`, which is then renamed over `path`.
void atomic_save(const fs::path& path, const fs::path& temp, std::string_view text);
void append(const fs::path& path, std::string_view text);

// `s` in order: for event lists whose order the platform does not fix.
Strings sorted(Strings s);

// "created tree/a.txt", "deleted tree/sub/", "renamed tree/b <- tree/a":
// relative to `base`, folders with a trailing '/'.
std::string describe(const hotmod::FileChange& change, const fs::path& base);

class WatchFixture {
 public:
  // Watches `paths` (relative to a fresh temporary folder; "tree" is created
  // unless `make_tree` is false) and the cookie file for sync().
  explicit WatchFixture(hotmod::WatchOptions options, Strings paths = {"tree"},
                        bool make_tree = true);
  ~WatchFixture();

  const fs::path& base() const { return tmp_.path(); }
  fs::path tree() const { return tmp_.path() / "tree"; }
  fs::path operator/(const fs::path& relative) const { return tree() / relative; }
  hotmod::FileWatcher& watcher() { return *watcher_; }
  const hotmod::WatchOptions& options() const { return watcher_->options(); }

  // Starts the watcher; returns the backend in use (fails the test if it
  // cannot start).
  hotmod::WatchBackend start();
  // Every event on the watched paths up to a barrier (see above).
  Strings sync();
  // The next event (up to 20 s); "" when none came.
  std::string next();
  // True when nothing arrives for about three debounce intervals (or poll
  // intervals with polling) — for "and nothing else" after a sync.
  bool quiet();

 private:
  bool is_cookie(const hotmod::FileChange& change) const;

  hotmod_test::TempDir tmp_;
  fs::path cookie_;
  std::unique_ptr<hotmod::FileWatcher> watcher_;
  int cookie_count_ = 0;
};

// Waits up to `limit` for `done` to hold, checking every few milliseconds.
template <class Done>
bool eventually(Done done, std::chrono::milliseconds limit = 20s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    ::usleep(2000);
  }
  return true;
}

}  // namespace hotmod_watch
