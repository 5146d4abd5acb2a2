// Folders: new subfolders and their files, deep trees, deleted and renamed
// folders, a deleted watched root, a root that does not exist yet, and a
// single file as the root.
#include <algorithm>

#include <gtest/gtest.h>

#include "watch_support.hpp"

namespace hotmod_watch {
namespace {

using hotmod::WatchBackend;

hotmod::WatchOptions tree_kernel() {
  hotmod::WatchOptions o;
  o.backend = WatchBackend::kernel;
  o.poll_interval = 20ms;
  return o;
}

TEST(TreeWatch, FilesInANewSubfolderAreNeverMissed) {
  // Folders and files created faster than the watcher can add watches: what
  // existed before a folder's watch is found by scanning it.
  WatchFixture w(tree_kernel());
  w.start();
  fs::create_directories(w / "a/b/c/d");
  Strings expected = {"created tree/a/", "created tree/a/b/", "created tree/a/b/c/",
                      "created tree/a/b/c/d/"};
  for (const char* dir : {"a", "a/b", "a/b/c", "a/b/c/d"})
    for (int i = 0; i < 5; ++i) {
      std::string name = std::string(dir) + "/f" + std::to_string(i);
      write_file(w / name, "x");
      expected.push_back("created tree/" + name);
    }
  EXPECT_EQ(sorted(w.sync()), sorted(expected));
  write_file(w / "a/b/c/d/f0", "changed");
  EXPECT_EQ(w.sync(), (Strings{"modified tree/a/b/c/d/f0"}));
  EXPECT_TRUE(w.quiet());
}

TEST(TreeWatch, AFolderCopiedInWithManyFilesIsReportedCompletely) {
  WatchFixture w(tree_kernel());
  fs::create_directories(w.base() / "staging/pkg/sub");
  Strings expected = {"created tree/pkg/", "created tree/pkg/sub/"};
  for (int i = 0; i < 100; ++i) {
    std::string name = "pkg/sub/m" + std::to_string(i) + ".cpp";
    write_file(w.base() / "staging" / name, "x");
    expected.push_back("created tree/" + name);
  }
  w.start();
  fs::rename(w.base() / "staging/pkg", w / "pkg");  // moved in whole
  EXPECT_EQ(sorted(w.sync()), sorted(expected));
}

TEST(TreeWatch, ADeepTreeIsWatchedToTheBottom) {
  WatchFixture w(tree_kernel());
  fs::path deep = w.tree();
  for (int i = 0; i < 40; ++i) deep /= "d" + std::to_string(i);
  fs::create_directories(deep);
  write_file(deep / "leaf.txt", "one");
  w.start();
  write_file(deep / "leaf.txt", "two");
  Strings seen = w.sync();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_TRUE(seen[0].starts_with("modified tree/d0/d1/")) << seen[0];
  EXPECT_TRUE(seen[0].ends_with("/d39/leaf.txt")) << seen[0];
}

TEST(TreeWatch, ADeletedFolderIsReportedChildrenFirstAndDropped) {
  WatchFixture w(tree_kernel());
  fs::create_directories(w / "sub/inner");
  write_file(w / "sub/x", "x");
  write_file(w / "sub/inner/y", "y");
  w.start();
  fs::remove_all(w / "sub");
  Strings seen = w.sync();
  EXPECT_EQ(sorted(seen), (Strings{"deleted tree/sub/", "deleted tree/sub/inner/",
                                   "deleted tree/sub/inner/y", "deleted tree/sub/x"}));
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), "deleted tree/sub/");
  // Same name again: a new folder, watched anew.
  fs::create_directories(w / "sub");
  write_file(w / "sub/z", "z");
  EXPECT_EQ(sorted(w.sync()), (Strings{"created tree/sub/", "created tree/sub/z"}));
  write_file(w / "sub/z", "zz");
  EXPECT_EQ(w.sync(), (Strings{"modified tree/sub/z"}));
}

TEST(TreeWatch, ARenamedFolderIsRenamedWithEverythingInItAndStaysWatched) {
  WatchFixture w(tree_kernel());
  fs::create_directories(w / "old/inner");
  write_file(w / "old/x", "x");
  write_file(w / "old/inner/y", "y");
  w.start();
  fs::rename(w / "old", w / "new");
  EXPECT_EQ(sorted(w.sync()),
            (Strings{"renamed tree/new/ <- tree/old/", "renamed tree/new/inner/ <- tree/old/inner/",
                     "renamed tree/new/inner/y <- tree/old/inner/y",
                     "renamed tree/new/x <- tree/old/x"}));
  write_file(w / "new/inner/y", "changed");
  write_file(w / "new/inner/z", "new");
  EXPECT_EQ(w.sync(), (Strings{"modified tree/new/inner/y", "created tree/new/inner/z"}));
}

TEST(TreeWatch, AFolderMovedOutIsDeletedAndMovedBackIsCreated) {
  WatchFixture w(tree_kernel());
  fs::create_directories(w / "sub");
  write_file(w / "sub/x", "x");
  w.start();
  fs::rename(w / "sub", w.base() / "parked");
  EXPECT_EQ(sorted(w.sync()), (Strings{"deleted tree/sub/", "deleted tree/sub/x"}));
  write_file(w.base() / "parked/x", "not watched while outside");
  EXPECT_EQ(w.sync(), Strings{});
  fs::rename(w.base() / "parked", w / "back");
  EXPECT_EQ(sorted(w.sync()), (Strings{"created tree/back/", "created tree/back/x"}));
  fs::rename(w / "back", w / "build");  // into an excluded name: out of sight
  EXPECT_EQ(sorted(w.sync()), (Strings{"deleted tree/back/", "deleted tree/back/x"}));
}

TEST(TreeWatch, ADeletedRootIsReportedAndWatchedAgainWhenItReturns) {
  // A clean build removes and recreates its output folder.
  WatchFixture w(tree_kernel());
  write_file(w / "a.txt", "one");
  w.start();
  fs::remove_all(w.tree());
  EXPECT_EQ(w.sync(), (Strings{"deleted tree/a.txt", "deleted tree/"}));
  fs::create_directories(w / "sub");
  write_file(w / "a.txt", "two");
  write_file(w / "sub/b.txt", "b");
  // Found by looking every poll interval: wait for it, however long that is.
  Strings seen;
  ASSERT_TRUE(eventually([&] {
    for (std::string& s : w.sync()) seen.push_back(std::move(s));
    return seen.size() >= 4;
  }));
  EXPECT_EQ(sorted(seen), (Strings{"created tree/", "created tree/a.txt", "created tree/sub/",
                                   "created tree/sub/b.txt"}));
  write_file(w / "sub/b.txt", "changed");
  EXPECT_EQ(w.sync(), (Strings{"modified tree/sub/b.txt"}));
}

TEST(TreeWatch, ARootRenamedAwayIsDeleted) {
  WatchFixture w(tree_kernel());
  write_file(w / "a.txt", "one");
  w.start();
  fs::rename(w.tree(), w.base() / "elsewhere");
  EXPECT_EQ(w.sync(), (Strings{"deleted tree/a.txt", "deleted tree/"}));
  write_file(w.base() / "elsewhere/a.txt", "not watched any more");
  EXPECT_EQ(w.sync(), Strings{});
}

TEST(TreeWatch, ARootThatDoesNotExistYetIsWaitedFor) {
  WatchFixture w(tree_kernel(), {"later"}, false);
  EXPECT_EQ(w.start(), WatchBackend::kernel);
  fs::create_directories(w.base() / "later");
  write_file(w.base() / "later/x.txt", "x");
  Strings seen;
  ASSERT_TRUE(eventually([&] {
    for (std::string& s : w.sync()) seen.push_back(std::move(s));
    return seen.size() >= 2;
  }));
  EXPECT_EQ(sorted(seen), (Strings{"created later/", "created later/x.txt"}));
  write_file(w.base() / "later/x.txt", "xx");
  EXPECT_EQ(w.sync(), (Strings{"modified later/x.txt"}));
}

TEST(TreeWatch, AFileAsTheRootReportsThatFileOnly) {
  WatchFixture w(tree_kernel(), {"tree/app.cfg"});
  write_file(w / "app.cfg", "a=1");
  write_file(w / "other.cfg", "b=1");
  w.start();
  write_file(w / "other.cfg", "b=2");
  fs::create_directories(w / "sub");
  write_file(w / "sub/app.cfg", "c");
  write_file(w / "app.cfg", "a=2");
  EXPECT_EQ(w.sync(), (Strings{"modified tree/app.cfg"}));
  atomic_save(w / "app.cfg", w / "app.cfg.new", "a=3");
  EXPECT_EQ(w.sync(), (Strings{"modified tree/app.cfg"}));
  fs::remove(w / "app.cfg");
  EXPECT_EQ(w.sync(), (Strings{"deleted tree/app.cfg"}));
  write_file(w / "app.cfg", "a=4");
  EXPECT_EQ(w.sync(), (Strings{"created tree/app.cfg"}));
}

TEST(TreeWatch, SymbolicLinksAreReportedAsThemselvesAndNotFollowed) {
  WatchFixture w(tree_kernel());
  fs::create_directories(w.base() / "target");
  w.start();
  fs::create_directory_symlink(w.base() / "target", w / "link");
  EXPECT_EQ(w.sync(), (Strings{"created tree/link"}));
  write_file(w.base() / "target/x", "outside the tree");
  EXPECT_EQ(w.sync(), Strings{});
}

}  // namespace
}  // namespace hotmod_watch
