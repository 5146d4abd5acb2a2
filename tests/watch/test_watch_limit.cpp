// Beyond the kernel's watch limit the rest of the tree is polled, and the
// user is told once how to raise the limit. WatchOptions::max_kernel_watches
// stands in for fs.inotify.max_user_watches, which a test cannot lower.
#include <algorithm>
#include <mutex>

#include <gtest/gtest.h>

#include "watch_support.hpp"

namespace hotmod_watch {
namespace {

using hotmod::WatchBackend;

struct Log {
  std::mutex mu;
  std::vector<std::string> lines;

  std::function<void(hotmod::LogLevel, std::string_view)> sink() {
    return [this](hotmod::LogLevel, std::string_view line) {
      std::lock_guard lock(mu);
      lines.emplace_back(line);
    };
  }
  std::size_t count(std::string_view needle) {
    std::lock_guard lock(mu);
    return static_cast<std::size_t>(std::count_if(lines.begin(), lines.end(), [&](const auto& l) {
      return l.find(needle) != std::string::npos;
    }));
  }
};

// The sync cookie ends up polled here: a poll interval longer than the
// debounce keeps it behind kernel-watched changes made before it.
hotmod::WatchOptions limited(std::size_t watches, Log& log) {
  hotmod::WatchOptions o;
  o.backend = WatchBackend::kernel;
  o.debounce = 10ms;
  o.poll_interval = 30ms;
  o.max_kernel_watches = watches;
  o.log = log.sink();
  return o;
}

TEST(WatchLimit, FoldersBeyondTheLimitArePolledAndTheUserIsToldOnce) {
  Log log;
  WatchFixture w(limited(3, log));
  for (const char* dir : {"a", "b", "c/d", "e/f/g"}) fs::create_directories(w / dir);
  for (const char* file : {"a/x", "b/x", "c/d/x", "e/f/g/x", "top"}) write_file(w / file, "1");
  EXPECT_EQ(w.start(), WatchBackend::kernel);
  // tree, a, b, c, c/d, e, e/f, e/f/g and the cookie's folder: 9 folders,
  // 3 of them with kernel watches.
  EXPECT_EQ(w.watcher().polled_folders(), 6u);
  EXPECT_EQ(log.count("max_kernel_watches (3) is reached"), 1u);
  EXPECT_EQ(log.count("sudo sysctl fs.inotify.max_user_watches=524288"), 1u);
  EXPECT_EQ(log.count("/etc/sysctl.d/"), 1u);

  // Every folder is watched one way or the other.
  for (const char* file : {"a/x", "b/x", "c/d/x", "e/f/g/x", "top"}) write_file(w / file, "22");
  Strings seen;
  ASSERT_TRUE(eventually([&] {
    for (std::string& s : w.sync()) seen.push_back(std::move(s));
    return seen.size() >= 5;
  }));
  EXPECT_EQ(sorted(seen), (Strings{"modified tree/a/x", "modified tree/b/x", "modified tree/c/d/x",
                                   "modified tree/e/f/g/x", "modified tree/top"}));

  // New folders go beyond the limit too: polled, reported, no second notice.
  fs::create_directories(w / "e/f/g/h");
  write_file(w / "e/f/g/h/y", "y");
  seen.clear();
  ASSERT_TRUE(eventually([&] {
    for (std::string& s : w.sync()) seen.push_back(std::move(s));
    return seen.size() >= 2;
  }));
  EXPECT_EQ(sorted(seen), (Strings{"created tree/e/f/g/h/", "created tree/e/f/g/h/y"}));
  EXPECT_EQ(w.watcher().polled_folders(), 7u);
  EXPECT_EQ(log.count("is reached"), 1u);
}

TEST(WatchLimit, AWatchFreedByADeletedFolderIsUsedAgain) {
  Log log;
  WatchFixture w(limited(2, log));  // the tree and "sub"; the cookie's folder is polled
  fs::create_directories(w / "sub");
  w.start();
  EXPECT_EQ(w.watcher().polled_folders(), 1u);
  fs::remove_all(w / "sub");
  EXPECT_EQ(w.sync(), (Strings{"deleted tree/sub/"}));
  fs::create_directories(w / "again");
  write_file(w / "again/x", "x");
  EXPECT_EQ(sorted(w.sync()), (Strings{"created tree/again/", "created tree/again/x"}));
  EXPECT_EQ(w.watcher().polled_folders(), 1u);
}

}  // namespace
}  // namespace hotmod_watch
