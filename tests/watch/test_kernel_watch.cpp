// The kernel backend on real files, changed the way editors and tools save:
// in place, atomically through a temporary file, delete + create, chmod
// only, bursts, files still open for writing.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "watch_support.hpp"

namespace hotmod_watch {
namespace {

using hotmod::WatchBackend;

hotmod::WatchOptions kernel(std::chrono::milliseconds debounce = 30ms) {
  hotmod::WatchOptions o;
  o.backend = WatchBackend::kernel;
  o.debounce = debounce;
  o.poll_interval = 20ms;
  return o;
}

// Patterns that are several system calls apart are only merged when they
// fall in one debounce window; a long window keeps a slow, shared machine
// from splitting them.
constexpr auto kWide = 300ms;

TEST(KernelWatch, InPlaceSaveIsOneModified) {
  WatchFixture w(kernel());
  write_file(w / "a.txt", "one");
  EXPECT_EQ(w.start(), WatchBackend::kernel);
  write_file(w / "a.txt", "two");
  EXPECT_EQ(w.sync(), (Strings{"modified tree/a.txt"}));
  EXPECT_TRUE(w.quiet());
}

TEST(KernelWatch, InPlaceSaveWithDebounceZeroIsStillOneModified) {
  // The truncate and the write are seen before the close: the file is
  // reported once, when it is complete.
  WatchFixture w(kernel(0ms));
  write_file(w / "a.txt", "one");
  w.start();
  write_file(w / "a.txt", "two, longer");
  EXPECT_EQ(w.sync(), (Strings{"modified tree/a.txt"}));
  EXPECT_TRUE(w.quiet());
}

TEST(KernelWatch, AtomicSaveThroughAnExcludedTemporaryIsOneModified) {
  WatchFixture w(kernel());
  write_file(w / "a.txt", "one");
  w.start();
  atomic_save(w / "a.txt", w / "a.txt.tmp", "two");
  EXPECT_EQ(w.sync(), (Strings{"modified tree/a.txt"}));
  EXPECT_TRUE(w.quiet());
}

TEST(KernelWatch, AtomicSaveThroughAnyTemporaryNameIsOneModified) {
  // sed -i, gedit (.goutputstream-XXXXXX) and others use names no exclude
  // glob knows: the temporary file's life is merged away.
  WatchFixture w(kernel(kWide));
  write_file(w / "a.txt", "one");
  w.start();
  atomic_save(w / "a.txt", w / "sedAb12Cd", "two");
  atomic_save(w / "b.txt", w / ".goutputstream-XY12", "new");  // onto a new name
  EXPECT_EQ(w.sync(), (Strings{"modified tree/a.txt", "created tree/b.txt"}));
}

TEST(KernelWatch, DeleteThenCreateIsOneModified) {
  WatchFixture w(kernel(kWide));
  write_file(w / "a.txt", "one");
  w.start();
  fs::remove(w / "a.txt");
  write_file(w / "a.txt", "two");
  EXPECT_EQ(w.sync(), (Strings{"modified tree/a.txt"}));
}

TEST(KernelWatch, ChmodAndChownAloneAreNoChangeButTouchIs) {
  WatchFixture w(kernel());
  write_file(w / "a.txt", "one");
  w.start();
  fs::permissions(w / "a.txt", fs::perms::owner_all);
  ASSERT_EQ(::chown((w / "a.txt").c_str(), ::getuid(), ::getgid()), 0);
  EXPECT_EQ(w.sync(), Strings{});
  const struct timespec now[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
  ASSERT_EQ(::utimensat(AT_FDCWD, (w / "a.txt").c_str(), now, 0), 0);
  EXPECT_EQ(w.sync(), (Strings{"modified tree/a.txt"}));
}

TEST(KernelWatch, ABurstOfSavesIsOneEvent) {
  WatchFixture w(kernel(kWide));
  write_file(w / "a.txt", "zero");
  w.start();
  for (int i = 0; i < 50; ++i) write_file(w / "a.txt", "save " + std::to_string(i));
  EXPECT_EQ(w.sync(), (Strings{"modified tree/a.txt"}));
}

TEST(KernelWatch, ManyWritesBeforeOneCloseAreOneEvent) {
  WatchFixture w(kernel(0ms));
  w.start();
  int fd = ::open((w / "log.txt").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  for (int i = 0; i < 200; ++i) ASSERT_EQ(::write(fd, "line\n", 5), 5);
  ::close(fd);
  EXPECT_EQ(w.sync(), (Strings{"created tree/log.txt"}));
  EXPECT_TRUE(w.quiet());
}

TEST(KernelWatch, AFileStillOpenForWritingIsNotReportedUntilClosed) {
  WatchFixture w(kernel());
  w.start();
  int fd = ::open((w / "new.txt").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  // Kept busy: each write restarts the quiet period after which a writer
  // that never closes would be reported.
  for (int i = 0; i < 6; ++i) {
    ASSERT_EQ(::write(fd, "part\n", 5), 5);
    std::optional<hotmod::FileChange> early = w.watcher().wait_for_change(40ms);
    EXPECT_FALSE(early.has_value()) << describe(*early, w.base()) << " while still open";
  }
  ::close(fd);
  EXPECT_EQ(w.sync(), (Strings{"created tree/new.txt"}));
}

TEST(KernelWatch, RenameIsRenamedAndMovesAcrossTheEdgeAreDeletedOrCreated) {
  WatchFixture w(kernel());
  write_file(w / "a.txt", "one");
  write_file(w.base() / "outside.txt", "out");
  w.start();
  fs::rename(w / "a.txt", w / "b.txt");
  EXPECT_EQ(w.sync(), (Strings{"renamed tree/b.txt <- tree/a.txt"}));
  fs::rename(w / "b.txt", w.base() / "gone.txt");
  EXPECT_EQ(w.sync(), (Strings{"deleted tree/b.txt"}));
  fs::rename(w.base() / "outside.txt", w / "in.txt");
  EXPECT_EQ(w.sync(), (Strings{"created tree/in.txt"}));
  fs::rename(w / "in.txt", w / "a.txt~");  // renamed into the excludes
  EXPECT_EQ(w.sync(), (Strings{"deleted tree/in.txt"}));
  EXPECT_TRUE(w.quiet());
}

TEST(KernelWatch, VimSaveIsOneModified) {
  // vim (backupcopy=auto): probe file 4913, rename to the backup a.txt~,
  // write a new a.txt, restore its mode, remove the backup.
  WatchFixture w(kernel(kWide));
  write_file(w / "a.txt", "one");
  w.start();
  write_file(w / "4913", "");
  fs::remove(w / "4913");
  fs::rename(w / "a.txt", w / "a.txt~");
  write_file(w / "a.txt", "two");
  fs::permissions(w / "a.txt", fs::perms::owner_read | fs::perms::owner_write);
  fs::remove(w / "a.txt~");
  EXPECT_EQ(w.sync(), (Strings{"modified tree/a.txt"}));
}

TEST(KernelWatch, EmacsSaveIsOneModified) {
  // Emacs: a lock symlink .#a.txt, the first save renames to a.txt~ and
  // writes anew, then the lock goes.
  WatchFixture w(kernel(kWide));
  write_file(w / "a.txt", "one");
  w.start();
  fs::create_symlink("user@host.1234:1", w / ".#a.txt");
  fs::rename(w / "a.txt", w / "a.txt~");
  write_file(w / "a.txt", "two");
  fs::remove(w / ".#a.txt");
  EXPECT_EQ(w.sync(), (Strings{"modified tree/a.txt"}));
}

TEST(KernelWatch, JetBrainsSafeWriteIsOneModified) {
  // IntelliJ's "safe write": new content in a.txt___jb_tmp___, the original
  // renamed to a.txt___jb_old___, the new one renamed into place, the old
  // one removed.
  WatchFixture w(kernel(kWide));
  write_file(w / "a.txt", "one");
  w.start();
  write_file(w / "a.txt___jb_tmp___", "two");
  fs::rename(w / "a.txt", w / "a.txt___jb_old___");
  fs::rename(w / "a.txt___jb_tmp___", w / "a.txt");
  fs::remove(w / "a.txt___jb_old___");
  EXPECT_EQ(w.sync(), (Strings{"modified tree/a.txt"}));
}

TEST(KernelWatch, EachFileOfAGroupSaveIsReportedOnce) {
  WatchFixture w(kernel());
  for (int i = 0; i < 20; ++i) write_file(w / ("f" + std::to_string(i)), "old");
  w.start();
  Strings expected;
  for (int i = 0; i < 20; ++i) {
    std::string name = "f" + std::to_string(i);
    atomic_save(w / name, w / (name + ".tmp"), "new");
    expected.push_back("modified tree/" + name);
  }
  Strings seen = w.sync();
  std::sort(seen.begin(), seen.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(seen, expected);
}

TEST(KernelWatch, EventsCarryAbsolutePathsAndTheTimeTheyWereSeen) {
  WatchFixture w(kernel(0ms));
  w.start();
  auto before = std::chrono::steady_clock::now();
  write_file(w / "a.txt", "one");
  std::optional<hotmod::FileChange> change = w.watcher().wait_for_change(20s);
  ASSERT_TRUE(change.has_value());
  EXPECT_EQ(change->path, w / "a.txt");
  EXPECT_TRUE(change->path.is_absolute());
  EXPECT_FALSE(change->is_directory);
  EXPECT_GE(change->time, before);
  EXPECT_LE(change->time, std::chrono::steady_clock::now());
}

TEST(KernelWatch, DefaultExcludesLeaveOutVersionControlBuildAndEditorFiles) {
  WatchFixture w(kernel());
  w.start();
  fs::create_directories(w / ".git/objects/ab");
  write_file(w / ".git/objects/ab/cdef", "blob");
  fs::create_directories(w / "build/CMakeFiles");
  write_file(w / "build/app.o", "obj");
  fs::create_directories(w / "src/cmake-build-debug");
  write_file(w / "src/cmake-build-debug/x", "obj");
  for (const char* name :
       {"a.txt.swp", ".a.txt.swx", "a.txt~", ".#a.txt", "#a.txt#", "4913", "x.tmp"})
    write_file(w / name, "junk");
  write_file(w / "a.txt", "real");
  Strings seen = w.sync();
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (Strings{"created tree/a.txt", "created tree/src/"}));
  EXPECT_EQ(w.watcher().polled_folders(), 0u);
}

TEST(KernelWatch, IncludeAndExcludeGlobs) {
  hotmod::WatchOptions o = kernel();
  o.include = {"*.cpp", "docs/**"};
  o.exclude = {"gen"};
  WatchFixture w(o);
  w.start();
  fs::create_directories(w / "src/gen");
  fs::create_directories(w / "docs/guide");
  // Not empty: an empty file found by scanning a new folder might be one
  // caught between open and write, and is held for the writer's quiet period.
  write_file(w / "src/a.cpp", "int a;");
  write_file(w / "src/a.h", "int a;");
  write_file(w / "src/gen/b.cpp", "int b;");
  write_file(w / "docs/guide/intro.md", "# intro");
  Strings seen = w.sync();
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (Strings{"created tree/docs/guide/", "created tree/docs/guide/intro.md",
                           "created tree/src/a.cpp"}));
}

TEST(KernelWatch, NoDefaultExcludesWhenTurnedOff) {
  hotmod::WatchOptions o = kernel();
  o.default_excludes = false;
  WatchFixture w(o);
  w.start();
  write_file(w / "a.txt~", "backup");
  EXPECT_EQ(w.sync(), (Strings{"created tree/a.txt~"}));
}

TEST(KernelWatch, AnOverflowedQueueIsRescannedAndTheUserIsToldOnce) {
  // The watcher's thread is held in a callback while more notifications
  // than fs.inotify.max_queued_events pile up; the kernel drops the rest and
  // says so (IN_Q_OVERFLOW). What happened must then be found by looking.
  std::ifstream limit_file("/proc/sys/fs/inotify/max_queued_events");
  long limit = 16384;
  limit_file >> limit;
  std::mutex mu;
  std::vector<std::string> log;
  hotmod::WatchOptions o = kernel();
  o.log = [&](hotmod::LogLevel, std::string_view line) {
    std::lock_guard lock(mu);
    log.emplace_back(line);
  };
  WatchFixture w(o);
  constexpr int kFiles = 200;
  for (int i = 0; i < kFiles; ++i) write_file(w / ("f" + std::to_string(i)), "x");
  write_file(w / "hold", "x");
  w.start();
  std::atomic<bool> held{false};
  std::atomic<bool> release{false};
  std::uint64_t id = w.watcher().on_change([&](const hotmod::FileChange& change) {
    if (change.path.filename() != "hold") return;
    held = true;
    while (!release) std::this_thread::yield();
  });
  write_file(w / "hold", "xx");
  ASSERT_TRUE(eventually([&] { return held.load(); }));

  // Each utimensat is one IN_ATTRIB; one file after another, so the kernel
  // cannot merge them with the event before.
  const long rounds = limit / kFiles + 10;
  for (long round = 1; round <= rounds; ++round)
    for (int i = 1; i < kFiles; ++i) {
      const struct timespec times[2] = {{round, 0}, {round, 0}};
      ASSERT_EQ(::utimensat(AT_FDCWD, (w / ("f" + std::to_string(i))).c_str(), times, 0), 0);
    }
  fs::remove(w / "f0");
  write_file(w / "new", "x");
  release = true;
  w.watcher().remove_on_change(id);

  Strings expected = {"modified tree/hold", "deleted tree/f0", "created tree/new"};
  for (int i = 1; i < kFiles; ++i) expected.push_back("modified tree/f" + std::to_string(i));
  Strings seen = w.sync();
  std::sort(seen.begin(), seen.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(seen, expected);
  std::lock_guard lock(mu);
  EXPECT_EQ(std::count_if(log.begin(), log.end(),
                          [](const std::string& line) {
                            return line.find("overflowed (fs.inotify.max_queued_events") !=
                                   std::string::npos;
                          }),
            1);
}

}  // namespace
}  // namespace hotmod_watch
