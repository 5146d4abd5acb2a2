// watch/coalescer: how raw changes to one path merge into one event, with a
// made-up clock (no files, no threads).
#include "watch/coalescer.hpp"

#include <gtest/gtest.h>

#include "watch_support.hpp"

namespace hotmod::watch {
namespace {

using namespace std::chrono_literals;
using hotmod_watch::Strings;

constexpr auto kDebounce = 30ms;

class CoalescerTest : public ::testing::Test {
 protected:
  Coalescer c{kDebounce, 250ms};
  Clock::time_point t0 = Clock::now();

  Clock::time_point at(std::chrono::milliseconds ms) const { return t0 + ms; }
  // Everything due at `ms`, described as the watcher tests do.
  Strings due(std::chrono::milliseconds ms, const Coalescer::Wanted& wanted = {}) {
    Strings out;
    auto all = [](const std::string&) { return true; };
    for (const FileChange& change : c.take_due(at(ms), wanted ? wanted : all))
      out.push_back(hotmod_watch::describe(change, "/r"));
    return out;
  }
};

TEST_F(CoalescerTest, ABurstOfWritesIsOneModifiedOnceQuiet) {
  for (int i = 0; i < 10; ++i) {
    c.written("/r/a", at(std::chrono::milliseconds(i * 5)));
    c.closed("/r/a", at(std::chrono::milliseconds(i * 5 + 1)), true);
  }
  EXPECT_EQ(due(50ms), Strings{});  // last close at 46 ms: quiet only from 76 ms
  ASSERT_TRUE(c.next_due().has_value());
  EXPECT_EQ(*c.next_due(), at(46ms) + kDebounce);
  EXPECT_EQ(due(76ms), (Strings{"modified a"}));
  EXPECT_TRUE(c.empty());
}

TEST_F(CoalescerTest, AFileBeingWrittenWaitsForItsClose) {
  c.appeared("/r/new", false, false, at(0ms), /*writing=*/true);
  c.written("/r/new", at(1ms));
  EXPECT_EQ(due(200ms), Strings{});
  c.closed("/r/new", at(210ms), true);
  EXPECT_EQ(due(239ms), Strings{});
  EXPECT_EQ(due(240ms), (Strings{"created new"}));
}

TEST_F(CoalescerTest, AWriterThatNeverClosesIsReportedAfterAQuietPeriod) {
  c.written("/r/log", at(0ms));
  EXPECT_EQ(due(249ms), Strings{});
  EXPECT_EQ(due(250ms), (Strings{"modified log"}));
}

TEST_F(CoalescerTest, MergesByStateNotBySequence) {
  c.appeared("/r/created-modified", false, false, at(0ms), false);
  c.changed("/r/created-modified", at(1ms));
  c.appeared("/r/created-deleted", false, false, at(0ms), false);
  c.gone("/r/created-deleted", false, at(1ms));
  c.changed("/r/modified-deleted", at(0ms));
  c.gone("/r/modified-deleted", false, at(1ms));
  c.gone("/r/deleted-created", false, at(0ms));
  c.appeared("/r/deleted-created", false, false, at(1ms), false);
  EXPECT_EQ(due(100ms), (Strings{"created created-modified", "deleted modified-deleted",
                                 "modified deleted-created"}));
}

TEST_F(CoalescerTest, RenameOntoANewNameIsRenamed) {
  c.gone("/r/a", false, at(0ms));
  c.appeared("/r/b", false, false, at(0ms), false, Coalescer::Pace::debounced, "/r/a");
  EXPECT_EQ(due(30ms), (Strings{"renamed b <- a"}));
}

TEST_F(CoalescerTest, RenameOntoAnExistingFileIsModifiedTargetAndDeletedSource) {
  c.gone("/r/a", false, at(0ms));
  c.appeared("/r/b", false, /*existed=*/true, at(0ms), false, Coalescer::Pace::debounced, "/r/a");
  EXPECT_EQ(due(30ms), (Strings{"deleted a", "modified b"}));
}

TEST_F(CoalescerTest, AtomicSaveThroughATemporaryFileIsOneModified) {
  c.appeared("/r/.a.tmp", false, false, at(0ms), true);
  c.closed("/r/.a.tmp", at(1ms), true);
  c.gone("/r/.a.tmp", false, at(2ms));
  c.appeared("/r/a", false, /*existed=*/true, at(2ms), false, Coalescer::Pace::debounced,
             "/r/.a.tmp");
  EXPECT_EQ(due(40ms), (Strings{"modified a"}));
}

TEST_F(CoalescerTest, ARenameChainIsOneRename) {
  c.gone("/r/a", false, at(0ms));
  c.appeared("/r/b", false, false, at(1ms), false, Coalescer::Pace::debounced, "/r/a");
  c.gone("/r/b", false, at(2ms));
  c.appeared("/r/c", false, false, at(3ms), false, Coalescer::Pace::debounced, "/r/b");
  EXPECT_EQ(due(40ms), (Strings{"renamed c <- a"}));
}

TEST_F(CoalescerTest, TheHalvesOfARenameWaitForEachOther) {
  c.gone("/r/a", false, at(0ms));
  c.appeared("/r/b", false, false, at(0ms), false, Coalescer::Pace::debounced, "/r/a");
  c.changed("/r/b", at(20ms));  // b stays busy: a waits for it
  EXPECT_EQ(due(35ms), Strings{});
  EXPECT_EQ(*c.next_due(), at(50ms));
  EXPECT_EQ(due(50ms), (Strings{"renamed b <- a"}));
}

TEST_F(CoalescerTest, ASourceRecreatedBeforeDeliveryBreaksTheRename) {
  c.gone("/r/a", false, at(0ms));
  c.appeared("/r/b", false, false, at(0ms), false, Coalescer::Pace::debounced, "/r/a");
  c.appeared("/r/a", false, false, at(1ms), false);
  EXPECT_EQ(due(40ms), (Strings{"modified a", "created b"}));
}

TEST_F(CoalescerTest, RenameIntoOrOutOfTheFiltersIsCreatedOrDeleted) {
  auto no_tmp = [](const std::string& path) { return !path.ends_with(".tmp"); };
  c.gone("/r/x.tmp", false, at(0ms));
  c.appeared("/r/x", false, false, at(0ms), false, Coalescer::Pace::debounced, "/r/x.tmp");
  c.gone("/r/y", false, at(1ms));
  c.appeared("/r/y.tmp", false, false, at(1ms), false, Coalescer::Pace::debounced, "/r/y");
  EXPECT_EQ(due(40ms, no_tmp), (Strings{"created x", "deleted y"}));
}

TEST_F(CoalescerTest, SettledChangesAreDueAtOnceAndDebounceZeroToo) {
  c.changed("/r/polled", at(0ms), Coalescer::Pace::settled);
  EXPECT_EQ(due(0ms), (Strings{"modified polled"}));
  Coalescer zero(0ms, 250ms);
  zero.changed("/r/a", at(5ms));
  EXPECT_EQ(zero.take_due(at(5ms), [](const std::string&) { return true; }).size(), 1u);
}

TEST_F(CoalescerTest, EventsComeOutOldestFirstWithTheirLastNotificationTime) {
  c.changed("/r/b", at(3ms));
  c.changed("/r/a", at(1ms));
  c.changed("/r/c", at(2ms));
  std::vector<FileChange> out = c.take_due(at(100ms), [](const std::string&) { return true; });
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].path, "/r/a");
  EXPECT_EQ(out[1].path, "/r/c");
  EXPECT_EQ(out[2].path, "/r/b");
  EXPECT_EQ(out[0].time, at(1ms));
}

TEST_F(CoalescerTest, AttributesAloneAndAnUnchangedCloseAreNothing) {
  c.closed("/r/a", at(0ms), false);
  EXPECT_TRUE(c.empty());
  EXPECT_FALSE(c.next_due().has_value());
}

// Shared libraries are complete when their linker closes them or renames
// them into place, sources when their editor does: no debounce for them.
class CompleteOnCloseTest : public CoalescerTest {
 protected:
  Coalescer lib{kDebounce, 250ms, [](const std::string& path) {
                  if (path.ends_with(".so")) return Coalescer::Closing::built;
                  if (path.ends_with(".cpp")) return Coalescer::Closing::saved;
                  return Coalescer::Closing::debounced;
                }};
  std::vector<FileChange> take(std::chrono::milliseconds ms) {
    return lib.take_due(at(ms), [](const std::string&) { return true; });
  }
};

// GNU ld: removes its old output, creates the new one, writes nothing until
// the link ends. The quiet fallback says the file is still being written;
// the close is delivered the moment it happens.
TEST_F(CompleteOnCloseTest, ALinkersOutputIsDueWhenClosedAndSaysWhileItIsStillBeingWritten) {
  lib.gone("/r/m.so", false, at(0ms));
  lib.appeared("/r/m.so", false, false, at(1ms), /*writing=*/true);
  EXPECT_TRUE(take(250ms).empty());
  std::vector<FileChange> early = take(251ms);
  ASSERT_EQ(early.size(), 1u);
  EXPECT_EQ(early[0].kind, ChangeKind::modified);
  EXPECT_TRUE(early[0].still_being_written);
  lib.closed("/r/m.so", at(900ms), true);
  std::vector<FileChange> closed = take(900ms);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].kind, ChangeKind::modified);
  EXPECT_FALSE(closed[0].still_being_written);
}

// lld and mold: a temporary file in the same folder, renamed onto the output.
TEST_F(CompleteOnCloseTest, RenamedIntoPlaceIsDueAtOnceWithItsTemporaryName) {
  lib.appeared("/r/m.so.tmp1234", false, false, at(0ms), true);
  lib.gone("/r/m.so.tmp1234", false, at(40ms));
  lib.appeared("/r/m.so", false, /*existed=*/true, at(40ms), false, Coalescer::Pace::debounced,
               "/r/m.so.tmp1234", /*placed=*/true);
  std::vector<FileChange> out = take(40ms);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].path, "/r/m.so");
  EXPECT_EQ(out[0].kind, ChangeKind::modified);
  EXPECT_FALSE(out[0].still_being_written);
}

// lld and mold remove the old output when they start: its deletion waits
// (4 × the quiet writer's 250 ms) for the file linked in its place.
TEST_F(CompleteOnCloseTest, ARemovedLibraryWaitsForItsReplacementOtherFilesForTheDebounce) {
  lib.gone("/r/m.so", false, at(0ms));
  lib.written("/r/notes.txt", at(0ms));
  lib.closed("/r/notes.txt", at(1ms), true);
  std::vector<FileChange> notes = take(31ms);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].path, "/r/notes.txt");
  EXPECT_TRUE(take(999ms).empty()) << "the library's removal waits";
  std::vector<FileChange> removed = take(1000ms);
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0].kind, ChangeKind::deleted);

  lib.gone("/r/m.so", false, at(1100ms));
  lib.appeared("/r/m.so", false, false, at(1400ms), false, Coalescer::Pace::debounced,
               "/r/.mold-1234", /*placed=*/true);
  std::vector<FileChange> replaced = take(1400ms);
  ASSERT_EQ(replaced.size(), 1u) << "replaced in place: one change, at once";
  EXPECT_EQ(replaced[0].kind, ChangeKind::modified);
}

// A library found by a scan, or touched, is not known to be complete: it
// waits for the debounce like anything else.
TEST_F(CompleteOnCloseTest, ALibraryFoundByAScanIsNotTakenAsComplete) {
  lib.appeared("/r/m.so", false, false, at(0ms), /*writing=*/false);
  EXPECT_TRUE(take(29ms).empty());
  EXPECT_EQ(take(30ms).size(), 1u);
}

// An editor writing in place (truncate, write, close) or saving through a
// temporary file renamed onto the source: due a moment (kSaveSettle) after
// it is complete, which gathers what follows at once.
TEST_F(CompleteOnCloseTest, ASavedSourceIsDueJustAfterItIsClosedOrRenamedIntoPlace) {
  constexpr auto settle =
      std::chrono::duration_cast<std::chrono::milliseconds>(Coalescer::kSaveSettle);
  lib.written("/r/m.cpp", at(0ms));
  EXPECT_TRUE(take(200ms).empty()) << "still open: held back";
  lib.closed("/r/m.cpp", at(210ms), true);
  EXPECT_TRUE(take(210ms + settle - 1ms).empty());
  std::vector<FileChange> in_place = take(210ms + settle);
  ASSERT_EQ(in_place.size(), 1u);
  EXPECT_EQ(in_place[0].kind, ChangeKind::modified);

  lib.appeared("/r/.m.cpp.swp", false, false, at(300ms), true);
  lib.closed("/r/.m.cpp.swp", at(301ms), true);
  lib.gone("/r/.m.cpp.swp", false, at(302ms));
  lib.appeared("/r/m.cpp", false, /*existed=*/true, at(302ms), false, Coalescer::Pace::debounced,
               "/r/.m.cpp.swp", /*placed=*/true);
  EXPECT_TRUE(take(302ms + settle - 1ms).empty());
  std::vector<FileChange> renamed = take(302ms + settle);
  ASSERT_EQ(renamed.size(), 1u);
  EXPECT_EQ(renamed[0].path, "/r/m.cpp");
  EXPECT_EQ(renamed[0].kind, ChangeKind::modified);
}

// A formatter rewriting the file just after the save, or `>` then `>>`:
// one change, not two builds.
TEST_F(CompleteOnCloseTest, WritesRightAfterASaveAreGatheredIntoIt) {
  lib.written("/r/m.cpp", at(0ms));
  lib.closed("/r/m.cpp", at(1ms), true);
  lib.written("/r/m.cpp", at(3ms));
  lib.closed("/r/m.cpp", at(4ms), true);
  EXPECT_TRUE(take(8ms).empty());
  std::vector<FileChange> out = take(9ms);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, ChangeKind::modified);
}

// A new file may be a temporary one that keeps the extension (x.new.cpp),
// renamed away next: it waits the debounce, and its rename is one event.
TEST_F(CompleteOnCloseTest, ANewSourceIsDebounced) {
  lib.appeared("/r/m.new.cpp", false, false, at(0ms), /*writing=*/true);
  lib.closed("/r/m.new.cpp", at(1ms), true);
  EXPECT_TRUE(take(19ms).empty()) << "not due at once, as a save is";
  lib.gone("/r/m.new.cpp", false, at(20ms));
  lib.appeared("/r/m.cpp", false, /*existed=*/true, at(20ms), false, Coalescer::Pace::debounced,
               "/r/m.new.cpp", /*placed=*/true);
  std::vector<FileChange> out = take(50ms);
  ASSERT_EQ(out.size(), 1u) << "the temporary file is never reported";
  EXPECT_EQ(out[0].path, "/r/m.cpp");
  EXPECT_EQ(out[0].kind, ChangeKind::modified);
}

// A source removed is debounced like any other file, not held for a
// replacement as a library is; one removed and written again at once (an
// editor keeping a backup by renaming) is one modification.
TEST_F(CompleteOnCloseTest, ARemovedSourceWaitsOnlyTheDebounce) {
  lib.gone("/r/m.cpp", false, at(0ms));
  EXPECT_TRUE(take(29ms).empty());
  std::vector<FileChange> removed = take(30ms);
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0].kind, ChangeKind::deleted);

  lib.gone("/r/m.cpp", false, at(100ms));
  lib.appeared("/r/m.cpp", false, false, at(101ms), /*writing=*/true);
  lib.closed("/r/m.cpp", at(102ms), true);
  std::vector<FileChange> rewritten = take(110ms);
  ASSERT_EQ(rewritten.size(), 1u);
  EXPECT_EQ(rewritten[0].kind, ChangeKind::modified);
}

// Touched, or found by a scan, a source is not known to be complete.
TEST_F(CompleteOnCloseTest, ASourceChangedWithoutAWriterIsDebounced) {
  lib.changed("/r/m.cpp", at(0ms));
  EXPECT_TRUE(take(29ms).empty());
  EXPECT_EQ(take(30ms).size(), 1u);
}

}  // namespace
}  // namespace hotmod::watch
