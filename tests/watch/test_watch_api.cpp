// The FileWatcher API and its threading contract: start/stop, waiting,
// draining, the bounded queue, callbacks calling back in, and many threads
// at once (meaningful under the tsan preset).
#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "watch/watcher_threads.hpp"
#include "watch_support.hpp"

namespace hotmod_watch {
namespace {

using hotmod::FileChange;
using hotmod::WatchBackend;

hotmod::WatchOptions api_kernel(std::chrono::milliseconds debounce = 30ms) {
  hotmod::WatchOptions o;
  o.backend = WatchBackend::kernel;
  o.debounce = debounce;
  return o;
}

TEST(WatchApi, StartWithoutPathsIsAnError) {
  hotmod::FileWatcher watcher(hotmod::WatchOptions{});
  hotmod::Result<WatchBackend> started = watcher.start();
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.error().message.find("WatchOptions::paths is empty"), std::string::npos);
  EXPECT_FALSE(watcher.is_watching());
  EXPECT_EQ(watcher.wait_for_change(), std::nullopt);  // not started: nothing to wait for
}

TEST(WatchApi, StartingAStartedWatcherDoesNothingAndStopIsIdempotent) {
  WatchFixture w(api_kernel());
  EXPECT_EQ(w.start(), WatchBackend::kernel);
  EXPECT_EQ(w.start(), WatchBackend::kernel);
  w.watcher().stop();
  EXPECT_FALSE(w.watcher().is_watching());
  w.watcher().stop();
  EXPECT_EQ(w.watcher().options().debounce, 30ms);
}

TEST(WatchApi, AutomaticPicksTheKernelOnALocalFileSystem) {
  WatchFixture w(hotmod::WatchOptions{});
  EXPECT_EQ(w.start(), WatchBackend::kernel);
  EXPECT_EQ(w.watcher().polled_folders(), 0u);
}

TEST(WatchApi, WaitForChangeGivesUpAfterItsTimeout) {
  WatchFixture w(api_kernel());
  w.start();
  EXPECT_EQ(w.watcher().wait_for_change(20ms), std::nullopt);
  EXPECT_TRUE(w.watcher().drain_events().empty());
}

TEST(WatchApi, StopWakesWaitersAndQueuedEventsStay) {
  WatchFixture w(api_kernel(0ms));
  w.start();
  std::atomic<int> delivered{0};
  w.watcher().on_change([&](const FileChange&) { ++delivered; });
  write_file(w / "a.txt", "one");
  ASSERT_TRUE(eventually([&] { return delivered.load() == 1; }));

  std::optional<FileChange> first = w.watcher().wait_for_change(20s);
  ASSERT_TRUE(first.has_value());
  std::atomic<bool> woke{false};
  std::optional<FileChange> waited;
  std::thread waiter([&] {
    waited = w.watcher().wait_for_change();  // blocks until stop()
    woke = true;
  });
  write_file(w / "b.txt", "two");
  ASSERT_TRUE(eventually([&] { return delivered.load() == 2; }));
  waiter.join();  // b.txt woke it
  ASSERT_TRUE(waited.has_value());
  EXPECT_EQ(waited->path, w / "b.txt");

  write_file(w / "c.txt", "three");
  ASSERT_TRUE(eventually([&] { return delivered.load() == 3; }));
  std::thread sleeper([&] {
    (void)w.watcher().wait_for_change();                // takes c.txt
    woke = !w.watcher().wait_for_change().has_value();  // then waits for stop()
  });
  woke = false;
  w.watcher().stop();
  sleeper.join();
  EXPECT_TRUE(woke);
  EXPECT_FALSE(w.watcher().is_watching());
}

TEST(WatchApi, EventsQueuedBeforeStopCanStillBeTaken) {
  WatchFixture w(api_kernel(0ms));
  w.start();
  std::atomic<int> delivered{0};
  w.watcher().on_change([&](const FileChange&) { ++delivered; });
  write_file(w / "a.txt", "one");
  ASSERT_TRUE(eventually([&] { return delivered.load() == 1; }));
  w.watcher().stop();
  std::optional<FileChange> change = w.watcher().wait_for_change();
  ASSERT_TRUE(change.has_value());
  EXPECT_EQ(change->path, w / "a.txt");
  EXPECT_EQ(w.watcher().wait_for_change(), std::nullopt);
}

TEST(WatchApi, TheQueueKeepsTheNewestAndCallbacksSeeEverything) {
  hotmod::WatchOptions o = api_kernel(0ms);
  o.max_queued = 2;
  WatchFixture w(o);
  w.start();
  std::mutex mu;
  std::vector<std::string> seen;
  w.watcher().on_change([&](const FileChange& c) {
    std::lock_guard lock(mu);
    seen.push_back(c.path.filename().string());
  });
  for (int i = 0; i < 6; ++i) write_file(w / ("f" + std::to_string(i)), "x");
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(mu);
    return seen.size() == 6;
  }));
  std::vector<FileChange> queued = w.watcher().drain_events();
  ASSERT_EQ(queued.size(), 2u);
  std::lock_guard lock(mu);
  EXPECT_EQ(queued[0].path.filename(), seen[4]);
  EXPECT_EQ(queued[1].path.filename(), seen[5]);
}

TEST(WatchApi, CallbacksRunInOrderAndCanBeRemoved) {
  WatchFixture w(api_kernel(0ms));
  w.start();
  std::mutex mu;
  std::vector<std::string> calls;
  auto record = [&](std::string who) {
    return [&, who](const FileChange& c) {
      std::lock_guard lock(mu);
      calls.push_back(who + ":" + c.path.filename().string());
    };
  };
  std::uint64_t one = w.watcher().on_change(record("1"));
  w.watcher().on_change(record("2"));
  write_file(w / "a", "x");
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(mu);
    return calls.size() == 2;
  }));
  w.watcher().remove_on_change(one);
  w.watcher().remove_on_change(one);  // twice: nothing
  write_file(w / "b", "x");
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(mu);
    return calls.size() == 3;
  }));
  std::lock_guard lock(mu);
  EXPECT_EQ(calls, (std::vector<std::string>{"1:a", "2:a", "2:b"}));
}

TEST(WatchApi, ACallbackThatThrowsIsLoggedAndTheOthersStillRun) {
  std::mutex mu;
  std::vector<std::string> log;
  hotmod::WatchOptions o = api_kernel(0ms);
  o.log = [&](hotmod::LogLevel, std::string_view line) {
    std::lock_guard lock(mu);
    log.emplace_back(line);
  };
  WatchFixture w(o);
  w.start();
  std::atomic<int> after{0};
  w.watcher().on_change([](const FileChange&) { throw std::runtime_error("boom"); });
  w.watcher().on_change([&](const FileChange&) { ++after; });
  write_file(w / "a", "x");
  ASSERT_TRUE(eventually([&] { return after.load() == 1; }));
  EXPECT_TRUE(w.watcher().is_watching());
  std::lock_guard lock(mu);
  EXPECT_EQ(std::count_if(log.begin(), log.end(),
                          [](const std::string& line) {
                            return line.find("a change callback threw: boom") != std::string::npos;
                          }),
            1);
}

TEST(WatchApi, StopAndRemoveFromInsideACallbackDoNotDeadlock) {
  WatchFixture w(api_kernel(0ms));
  w.start();
  std::atomic<int> calls{0};
  std::atomic<std::uint64_t> self{0};
  self = w.watcher().on_change([&](const FileChange&) {
    w.watcher().remove_on_change(self.load());  // its own id, while running
    w.watcher().stop();                         // returns without waiting for itself
    ++calls;
  });
  write_file(w / "a", "x");
  ASSERT_TRUE(eventually([&] { return calls.load() == 1; }));
  EXPECT_FALSE(w.watcher().is_watching());
  // Restarted from another thread: the stopped thread is joined first.
  EXPECT_EQ(w.start(), WatchBackend::kernel);
  write_file(w / "b", "x");
  std::optional<FileChange> change;
  do {
    change = w.watcher().wait_for_change(20s);
  } while (change && change->path.filename() == "a");
  ASSERT_TRUE(change.has_value());
  EXPECT_EQ(change->path, w / "b");
  EXPECT_EQ(calls.load(), 1);  // removed
}

// The callbacks after one that stops the watcher are not called for that
// change: their owner may be going away with the watcher.
TEST(WatchApi, CallbacksAfterOneThatStopsTheWatcherDoNotRun) {
  WatchFixture w(api_kernel(0ms));
  w.start();
  std::atomic<int> first{0};
  std::atomic<int> second{0};
  w.watcher().on_change([&](const FileChange&) {
    w.watcher().stop();  // returns without waiting for itself
    ++first;
  });
  w.watcher().on_change([&](const FileChange&) { ++second; });
  write_file(w / "a", "x");
  ASSERT_TRUE(eventually([&] { return first.load() == 1 && !w.watcher().is_watching(); }));
  EXPECT_EQ(second.load(), 0);
}

TEST(WatchApi, RemoveOnChangeWaitsForTheCallbackRunningElsewhere) {
  WatchFixture w(api_kernel(0ms));
  w.start();
  std::atomic<bool> entered{false};
  std::atomic<bool> release{false};
  std::atomic<bool> finished{false};
  std::uint64_t id = w.watcher().on_change([&](const FileChange&) {
    entered = true;
    while (!release) std::this_thread::yield();
    finished = true;
  });
  write_file(w / "a", "x");
  ASSERT_TRUE(eventually([&] { return entered.load(); }));
  std::atomic<bool> finished_when_removed{false};
  std::thread remover([&] {
    w.watcher().remove_on_change(id);
    finished_when_removed = finished.load();
  });
  release = true;
  remover.join();
  EXPECT_TRUE(finished_when_removed);
}

TEST(WatchApi, AWatcherDestroyedFromItsOwnCallbackWindsDown) {
  hotmod_test::TempDir tmp("hotmod-watch");
  hotmod::WatchOptions o = api_kernel(0ms);
  o.paths = {tmp.path()};
  auto watcher = std::make_unique<hotmod::FileWatcher>(o);
  ASSERT_TRUE(watcher->start().ok());
  std::atomic<bool> destroyed{false};
  watcher->on_change([&](const FileChange&) {
    watcher.reset();
    destroyed = true;
  });
  write_file(tmp / "a", "x");
  EXPECT_TRUE(eventually([&] { return destroyed.load(); }));
  // The thread, detached, finishes on its own.
  EXPECT_TRUE(eventually([] { return hotmod::watch::watcher_threads_running() == 0; }));
}

TEST(WatchApi, ManyThreadsWaitDrainSubscribeAndStopAtOnce) {
  WatchFixture w(api_kernel(0ms));
  w.start();
  std::atomic<int> delivered{0};
  w.watcher().on_change([&](const FileChange&) { ++delivered; });
  std::atomic<int> taken{0};
  std::atomic<bool> done{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i)
    threads.emplace_back([&, i] {
      while (!done) {
        if (i == 0) {
          taken += static_cast<int>(w.watcher().drain_events().size());
          std::this_thread::yield();
        } else if (w.watcher().wait_for_change(5ms)) {
          ++taken;
        }
      }
    });
  threads.emplace_back([&] {
    while (!done) {
      std::uint64_t id = w.watcher().on_change([](const FileChange&) {});
      (void)w.watcher().is_watching();
      (void)w.watcher().polled_folders();
      w.watcher().remove_on_change(id);
    }
  });
  constexpr int kFiles = 40;
  for (int i = 0; i < kFiles; ++i) write_file(w / ("f" + std::to_string(i)), "x");
  ASSERT_TRUE(eventually([&] { return delivered.load() >= kFiles; }));
  w.watcher().stop();
  done = true;
  for (std::thread& t : threads) t.join();
  taken += static_cast<int>(w.watcher().drain_events().size());
  EXPECT_EQ(taken.load(), delivered.load());  // each queued event taken exactly once
}

}  // namespace
}  // namespace hotmod_watch
