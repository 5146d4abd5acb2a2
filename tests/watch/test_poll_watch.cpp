// The polling backend on its own: for network file systems and container
// mounts, where the kernel sends no notifications.
#include <sys/stat.h>

#include <algorithm>

#include <gtest/gtest.h>

#include "watch_support.hpp"

namespace hotmod_watch {
namespace {

using hotmod::WatchBackend;

hotmod::WatchOptions polling() {
  hotmod::WatchOptions o;
  o.backend = WatchBackend::polling;
  o.poll_interval = 20ms;
  return o;
}

TEST(PollWatch, ReportsCreatedModifiedRenamedDeleted) {
  WatchFixture w(polling());
  EXPECT_EQ(w.start(), WatchBackend::polling);
  EXPECT_EQ(w.watcher().polled_folders(), 0u);  // polled by choice, not instead of the kernel
  write_file(w / "a.txt", "one");
  EXPECT_EQ(w.sync(), (Strings{"created tree/a.txt"}));
  write_file(w / "a.txt", "two!");
  EXPECT_EQ(w.sync(), (Strings{"modified tree/a.txt"}));
  fs::rename(w / "a.txt", w / "b.txt");
  EXPECT_EQ(w.sync(), (Strings{"renamed tree/b.txt <- tree/a.txt"}));
  fs::remove(w / "b.txt");
  EXPECT_EQ(w.sync(), (Strings{"deleted tree/b.txt"}));
  EXPECT_TRUE(w.quiet());
}

TEST(PollWatch, EditorSavesAreOneModifiedAndChmodIsNothing) {
  WatchFixture w(polling());
  write_file(w / "a.txt", "one");
  write_file(w / "b.txt", "one");
  w.start();
  atomic_save(w / "a.txt", w / "a.txt.tmp", "two");
  fs::remove(w / "b.txt");
  write_file(w / "b.txt", "two");
  EXPECT_EQ(sorted(w.sync()), (Strings{"modified tree/a.txt", "modified tree/b.txt"}));
  fs::permissions(w / "a.txt", fs::perms::owner_all);
  EXPECT_EQ(w.sync(), Strings{});
}

TEST(PollWatch, NewAndDeletedSubfolders) {
  WatchFixture w(polling());
  w.start();
  fs::create_directories(w / "a/b");
  write_file(w / "a/x", "x");
  write_file(w / "a/b/y", "y");
  Strings seen;
  // A new folder shows at once, its files once they settled: wait for all.
  ASSERT_TRUE(eventually([&] {
    for (std::string& s : w.sync()) seen.push_back(std::move(s));
    return seen.size() >= 4;
  }));
  EXPECT_EQ(sorted(seen), (Strings{"created tree/a/", "created tree/a/b/", "created tree/a/b/y",
                                   "created tree/a/x"}));
  write_file(w / "a/b/y", "changed");
  EXPECT_EQ(w.sync(), (Strings{"modified tree/a/b/y"}));
  fs::remove_all(w / "a");
  EXPECT_EQ(sorted(w.sync()), (Strings{"deleted tree/a/", "deleted tree/a/b/", "deleted tree/a/b/y",
                                       "deleted tree/a/x"}));
}

TEST(PollWatch, ADeletedRootComesBack) {
  WatchFixture w(polling());
  write_file(w / "a.txt", "one");
  w.start();
  fs::remove_all(w.tree());
  EXPECT_EQ(sorted(w.sync()), (Strings{"deleted tree/", "deleted tree/a.txt"}));
  fs::create_directories(w.tree());
  write_file(w / "a.txt", "two");
  Strings seen;
  ASSERT_TRUE(eventually([&] {
    for (std::string& s : w.sync()) seen.push_back(std::move(s));
    return seen.size() >= 2;
  }));
  EXPECT_EQ(sorted(seen), (Strings{"created tree/", "created tree/a.txt"}));
}

TEST(PollWatch, AFileRoot) {
  WatchFixture w(polling(), {"tree/app.cfg"});
  write_file(w / "app.cfg", "a=1");
  w.start();
  write_file(w / "other", "x");
  write_file(w / "app.cfg", "a=22");
  EXPECT_EQ(w.sync(), (Strings{"modified tree/app.cfg"}));
}

}  // namespace
}  // namespace hotmod_watch
