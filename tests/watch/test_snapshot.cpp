// watch/tree_snapshot and the polling backend's diff: what the watcher
// remembers, and how a poll decides that a file has settled.
#include <fcntl.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "watch/poll_backend.hpp"
#include "watch/tree_snapshot.hpp"
#include "watch_support.hpp"

namespace hotmod::watch {
namespace {

using hotmod_watch::Strings;

Stat file(std::uint64_t inode, std::int64_t mtime = 1, std::uint64_t size = 1) {
  Stat s;
  s.regular = true;
  s.inode = inode;
  s.mtime_ns = mtime;
  s.size = size;
  return s;
}

Stat folder(std::uint64_t inode) {
  Stat s;
  s.is_dir = true;
  s.inode = inode;
  return s;
}

TEST(TreeSnapshot, SetFindAndEraseChildrenFirst) {
  TreeSnapshot tree;
  tree.set("/r/a", folder(1));
  tree.set("/r/a/x", file(2));
  tree.set("/r/a/b", folder(3));
  tree.set("/r/a/b/y", file(4));
  tree.set("/r/z", file(5));
  EXPECT_EQ(tree.size(), 5u);
  ASSERT_NE(tree.find("/r/a/b/y"), nullptr);
  EXPECT_EQ(tree.find("/r/a/b/y")->inode, 4u);
  EXPECT_EQ(tree.find("/r/nope"), nullptr);

  Strings walked;
  tree.walk("/r/a", [&](const std::string& p, const Stat&) { walked.push_back(p); });
  EXPECT_EQ(walked, (Strings{"/r/a/b", "/r/a/b/y", "/r/a/x"}));  // parents first

  Strings erased;
  tree.erase("/r/a", [&](const std::string& p, const Stat&) { erased.push_back(p); });
  EXPECT_EQ(erased, (Strings{"/r/a/b/y", "/r/a/b", "/r/a/x", "/r/a"}));  // children first
  EXPECT_EQ(tree.size(), 1u);
  EXPECT_EQ(tree.find("/r/a/x"), nullptr);
  EXPECT_EQ(tree.children("/r/a"), nullptr);
}

TEST(TreeSnapshot, SameContentIgnoresModeAndOwnerButNotMtimeSizeOrInode) {
  EXPECT_TRUE(file(1, 10, 5).same_content(file(1, 10, 5)));
  EXPECT_FALSE(file(1, 10, 5).same_content(file(1, 11, 5)));  // nanoseconds count
  EXPECT_FALSE(file(1, 10, 5).same_content(file(1, 10, 6)));
  EXPECT_FALSE(file(1, 10, 5).same_content(file(2, 10, 5)));  // replaced
  EXPECT_TRUE(folder(1).same_content(folder(1)));
}

TEST(TreeSnapshot, ListDirStatsEntriesWithoutFollowingLinks) {
  hotmod_test::TempDir dir("hotmod-watch");
  hotmod_watch::write_file(dir / "a", "abc");
  std::filesystem::create_directory(dir / "sub");
  std::filesystem::create_symlink(dir / "sub", dir / "link");
  std::vector<DirEntry> entries;
  ASSERT_EQ(list_dir(dir.path().string(), entries), 0);
  ASSERT_EQ(entries.size(), 3u);
  for (const DirEntry& e : entries) {
    if (e.name == "a") {
      EXPECT_EQ(e.stat.size, 3u);
    } else {
      EXPECT_EQ(e.stat.is_dir, e.name == "sub") << e.name;  // "link" is not followed
    }
  }
  EXPECT_EQ(list_dir((dir / "missing").string(), entries), ENOENT);
}

Strings kinds(const std::vector<PollBackend::Change>& changes) {
  static const char* names[] = {"appeared", "modified", "gone"};
  Strings out;
  for (const auto& c : changes) out.push_back(std::string(names[c.kind]) + " " + c.path);
  return out;
}

TEST(PollDiff, AFileCountsOnceItsStatHeldForAWholeInterval) {
  PollBackend poll(std::chrono::milliseconds(250));
  TreeSnapshot::Children known{{"a", file(1, 1)}, {"gone", file(2)}};
  std::vector<PollBackend::Change> out;
  std::vector<DirEntry> now{{"a", file(1, 2)}, {"new", file(3)}};
  poll.diff("/r", now, &known, true, out);
  EXPECT_EQ(kinds(out), Strings{});  // first sight: candidates only

  now = {{"a", file(1, 3)}, {"new", file(3)}};  // a is still being written
  poll.diff("/r", now, &known, true, out);
  EXPECT_EQ(kinds(out), (Strings{"gone /r/gone", "appeared /r/new"}));

  out.clear();
  now = {{"a", file(1, 3)}, {"new", file(3)}};
  poll.diff("/r", now, &known, true, out);
  EXPECT_EQ(kinds(out), (Strings{"modified /r/a"}));
}

TEST(PollDiff, AChangeThatIsUndoneBeforeItSettlesIsNothing) {
  PollBackend poll(std::chrono::milliseconds(250));
  TreeSnapshot::Children known{{"a", file(1, 1)}};
  std::vector<PollBackend::Change> out;
  std::vector<DirEntry> now{{"a", file(1, 2)}};
  poll.diff("/r", now, &known, true, out);
  now = {{"a", file(1, 1)}};
  poll.diff("/r", now, &known, true, out);
  poll.diff("/r", now, &known, true, out);
  EXPECT_EQ(kinds(out), Strings{});
}

TEST(PollDiff, AJustCreatedEmptyFileWaitsForItsFirstWrite) {
  // Empty and a moment old: most likely opened with O_CREAT and not yet
  // written, however long the writer takes to get to it.
  PollBackend poll(std::chrono::milliseconds(250));
  std::int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  std::vector<PollBackend::Change> out;
  for (int i = 0; i < 3; ++i) {
    std::vector<DirEntry> now{{"new", file(1, now_ns, 0)}};
    poll.diff("/r", now, nullptr, true, out);
  }
  EXPECT_EQ(kinds(out), Strings{});
  std::vector<DirEntry> old{{"new", file(1, now_ns - 1'000'000'000, 0)}};  // a second old
  poll.diff("/r", old, nullptr, true, out);
  poll.diff("/r", old, nullptr, true, out);
  EXPECT_EQ(kinds(out), (Strings{"appeared /r/new"}));
}

TEST(PollDiff, FoldersAndUnsettledDiffsCountAtOnce) {
  PollBackend poll(std::chrono::milliseconds(250));
  TreeSnapshot::Children known{{"old", folder(1)}, {"f", file(2, 1)}};
  std::vector<PollBackend::Change> out;
  std::vector<DirEntry> now{{"new", folder(3)}, {"f", file(2, 1)}};
  poll.diff("/r", now, &known, true, out);
  EXPECT_EQ(kinds(out), (Strings{"appeared /r/new", "gone /r/old"}));
  out.clear();
  now = {{"f", file(2, 5)}};
  poll.diff("/r", now, nullptr, false, out);
  EXPECT_EQ(kinds(out), (Strings{"appeared /r/f"}));
}

}  // namespace
}  // namespace hotmod::watch
