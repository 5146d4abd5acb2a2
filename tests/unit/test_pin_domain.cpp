// pin/pin_domain: synchronize() waits for every pin that began before it, and
// only for those. Threads hand each other flags through condition variables;
// the only bounded wait that is expected to time out is the one checking that
// synchronize() is still blocked, and the ordering assertion (the reader had
// started leaving before synchronize returned) does not depend on it.
#include "pin/pin_domain.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace hotmod::pin {
namespace {

using namespace std::chrono_literals;

constexpr auto kGenerous = 30s;   // for what must happen
constexpr auto kBlocked = 100ms;  // for what must not happen yet

class Flag {
 public:
  void set() {
    {
      std::lock_guard lock(mu_);
      set_ = true;
    }
    cv_.notify_all();
  }
  bool wait(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return set_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool set_ = false;
};

// Waits, by polling, for a condition that has no one to signal it.
template <class Pred>
bool eventually(Pred pred) {
  const auto deadline = std::chrono::steady_clock::now() + kGenerous;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// A thread that enters a pin (optionally after a nested pin came and went)
// and holds it until released; `leaving` turns true just before it unpins.
class Reader {
 public:
  explicit Reader(bool nested = false) : thread_([this, nested] { run(nested); }) {}
  ~Reader() {
    release();
    thread_.join();
  }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  bool pinned() { return pinned_.wait(kGenerous); }
  void release() { release_.set(); }
  bool leaving() const { return leaving_.load(); }

 private:
  void run(bool nested) {
    Pin pin(&domain());
    if (nested) {
      Pin inner(&domain());
    }
    pinned_.set();
    release_.wait(kGenerous);
    leaving_.store(true);
  }

  Flag pinned_;
  Flag release_;
  std::atomic<bool> leaving_{false};
  std::thread thread_;  // last: starts once the members it uses exist
};

// Runs synchronize() on its own thread; notes whether `watched` had started
// leaving its pin by the time it returned.
class Syncer {
 public:
  explicit Syncer(const Reader* watched = nullptr)
      : watched_(watched), thread_([this] {
          domain().synchronize();
          saw_leaving_.store(watched_ != nullptr && watched_->leaving());
          done_.set();
        }) {}
  ~Syncer() { thread_.join(); }
  Syncer(const Syncer&) = delete;
  Syncer& operator=(const Syncer&) = delete;

  bool done(std::chrono::milliseconds timeout) { return done_.wait(timeout); }
  bool saw_leaving() const { return saw_leaving_.load(); }

 private:
  const Reader* watched_;
  Flag done_;
  std::atomic<bool> saw_leaving_{false};
  std::thread thread_;
};

TEST(PinDomain, SynchronizeWithoutPinsReturnsPromptlyAndAdvancesTheEpoch) {
  const std::uint64_t before = domain().epoch.load();
  for (int i = 0; i < 3; ++i) {
    Syncer s;
    EXPECT_TRUE(s.done(kGenerous));
  }
  EXPECT_EQ(domain().epoch.load(), before + 3);
}

TEST(PinDomain, PinPublishesItsEpochUntilTheOutermostPinEnds) {
  PinDomain& d = domain();
  {
    Pin outer(&d);
    PinRecord* r = detail::tls_pin_record;
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->epoch.load(), d.epoch.load());
    {
      Pin inner(&d);
      EXPECT_EQ(r->depth, 2u);
    }
    EXPECT_EQ(r->depth, 1u);
    EXPECT_NE(r->epoch.load(), 0u) << "leaving the inner pin must not unpin";
  }
  EXPECT_EQ(detail::tls_pin_record->epoch.load(), 0u);
  EXPECT_EQ(detail::tls_pin_record->depth, 0u);
}

TEST(PinDomain, SynchronizeWaitsForAPinHeldOnAnotherThread) {
  std::optional<Syncer> sync;  // declared first: destroyed after the reader lets go
  Reader reader;
  ASSERT_TRUE(reader.pinned());
  const std::uint64_t before = domain().epoch.load();
  sync.emplace(&reader);
  ASSERT_TRUE(eventually([&] { return domain().epoch.load() > before; }));
  EXPECT_FALSE(sync->done(kBlocked)) << "synchronize() returned while a pin was held";
  reader.release();
  ASSERT_TRUE(sync->done(kGenerous));
  EXPECT_TRUE(sync->saw_leaving()) << "synchronize() returned before the reader unpinned";
}

TEST(PinDomain, SynchronizeWaitsForTheOutermostOfNestedPins) {
  std::optional<Syncer> sync;
  Reader reader(/*nested=*/true);
  ASSERT_TRUE(reader.pinned());
  const std::uint64_t before = domain().epoch.load();
  sync.emplace(&reader);
  ASSERT_TRUE(eventually([&] { return domain().epoch.load() > before; }));
  EXPECT_FALSE(sync->done(kBlocked));
  reader.release();
  ASSERT_TRUE(sync->done(kGenerous));
  EXPECT_TRUE(sync->saw_leaving());
}

TEST(PinDomain, PinEnteredAfterSynchronizeBeganDoesNotBlockIt) {
  std::optional<Syncer> sync;
  Reader old_reader;
  ASSERT_TRUE(old_reader.pinned());
  const std::uint64_t before = domain().epoch.load();
  sync.emplace(&old_reader);
  ASSERT_TRUE(eventually([&] { return domain().epoch.load() > before; }));

  Reader new_reader;  // enters under the advanced epoch and keeps its pin
  ASSERT_TRUE(new_reader.pinned());
  old_reader.release();
  EXPECT_TRUE(sync->done(kGenerous)) << "a pin taken after synchronize() began blocked it";
  EXPECT_TRUE(sync->saw_leaving());
}

TEST(PinDomain, ThreadsPinningInATightLoopDoNotStarveSynchronize) {
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> entries{0};
  std::vector<std::thread> loopers;
  for (int i = 0; i < 2; ++i) {
    loopers.emplace_back([&] {
      while (!stop.load(std::memory_order_relaxed)) {
        Pin pin(&domain());
        entries.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  struct StopAndJoin {
    std::atomic<bool>& stop;
    std::vector<std::thread>& threads;
    ~StopAndJoin() {
      stop.store(true);
      for (auto& t : threads) t.join();
    }
  } stopper{stop, loopers};

  ASSERT_TRUE(eventually([&] { return entries.load() > 1000; }));
  for (int i = 0; i < 20; ++i) {
    Syncer s;
    const bool done = s.done(kGenerous);
    if (!done) stop.store(true);  // so that the starved synchronize() can finish and be joined
    ASSERT_TRUE(done) << "round " << i;
  }
}

}  // namespace
}  // namespace hotmod::pin
