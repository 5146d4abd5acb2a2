// CallbackList: the one rule every callback list in hotmod follows — order
// of addition, a throwing callback reported and the rest still called,
// removal from inside a callback, and remove_and_wait() waiting for a call
// in progress on another thread but never for its own.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "events/callback_list.hpp"

namespace {

using hotmod::events::CallbackList;
using hotmod::events::TaggedCallbackList;

TEST(CallbackList, CallsInTheOrderAdded) {
  CallbackList<int> list;
  std::vector<std::string> seen;
  list.add([&](int v) { seen.push_back("a" + std::to_string(v)); });
  list.add([&](int v) { seen.push_back("b" + std::to_string(v)); });
  list.add([&](int v) { seen.push_back("c" + std::to_string(v)); });
  list.call(1);
  EXPECT_EQ(seen, (std::vector<std::string>{"a1", "b1", "c1"}));
  EXPECT_EQ(list.size(), 3u);
}

TEST(CallbackList, AThrowingCallbackIsReportedAndTheOthersStillRun) {
  std::vector<std::string> errors;
  CallbackList<int> list([&](std::string_view what, int v) {
    errors.push_back(std::string(what) + "@" + std::to_string(v));
  });
  int after = 0;
  list.add([](int) { throw std::runtime_error("boom"); });
  list.add([&](int) { ++after; });
  list.add([](int) { throw 42; });
  list.add([&](int) { ++after; });
  list.call(7);
  EXPECT_EQ(after, 2);
  EXPECT_EQ(errors,
            (std::vector<std::string>{"boom@7", "an exception that is not a std::exception@7"}));
}

TEST(CallbackList, ACallbackMayRemoveItselfAndOthersAndAddMore) {
  CallbackList<> list;
  std::vector<std::string> seen;
  std::uint64_t self = 0, later = 0;
  self = list.add([&] {
    seen.push_back("self");
    list.remove_and_wait(self);  // returns at once: it is this very call
    list.remove(later);
    list.add([&] { seen.push_back("added"); });
  });
  later = list.add([&] { seen.push_back("later"); });
  list.call();
  EXPECT_EQ(seen, (std::vector<std::string>{"self"})) << "removed before its turn: not called";
  list.call();
  EXPECT_EQ(seen, (std::vector<std::string>{"self", "added"}));
}

// A callback that holds its thread until opened: tests remove it while it runs.
class Gate {
 public:
  // Called by the callback: says it is inside, waits until open(), then finishes.
  void hold() {
    std::unique_lock lock(mu_);
    entered_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
    finished = true;
  }
  void wait_entered() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return entered_; });
  }
  void open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  std::atomic<bool> finished{false};

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool entered_ = false, open_ = false;
};

TEST(CallbackList, RemoveAndWaitWaitsForACallRunningElsewhere) {
  CallbackList<> list;
  Gate gate;
  const std::uint64_t id = list.add([&] { gate.hold(); });
  std::thread caller([&] { list.call(); });
  gate.wait_entered();
  std::atomic<bool> removed{false};
  std::thread remover([&] {
    list.remove_and_wait(id);
    removed = true;
    EXPECT_TRUE(gate.finished) << "remove_and_wait returned while the callback ran";
  });
  // Once the remover has taken the callback out of the list it is waiting:
  // it cannot return while the callback is held inside.
  while (list.size() != 0) std::this_thread::yield();
  EXPECT_FALSE(removed);
  gate.open();
  caller.join();
  remover.join();
  EXPECT_TRUE(removed);
  list.call();  // removed: not called again
  EXPECT_EQ(list.size(), 0u);
}

// A callback removed (by itself, or by remove()) while it runs is still
// waited for by remove_and_wait() from another thread.
TEST(CallbackList, RemoveAndWaitWaitsEvenWhenAnotherRemovalCameFirst) {
  CallbackList<> list;
  Gate gate;
  std::uint64_t id = 0;
  id = list.add([&] {
    list.remove(id);  // gone from the list, still running
    gate.hold();
  });
  std::thread caller([&] { list.call(); });
  gate.wait_entered();
  ASSERT_EQ(list.size(), 0u);
  // Opened from another thread, usually while this one already waits; when
  // the opener wins the race the check below passes either way.
  std::thread releaser([&] { gate.open(); });
  list.remove_and_wait(id);
  EXPECT_TRUE(gate.finished) << "returned while the removed callback still ran";
  releaser.join();
  caller.join();
}

TEST(CallbackList, TagsSelectWhichCallbacksRunAndWhichGo) {
  TaggedCallbackList<int, std::string&> list;
  std::string out;
  list.add(1, [](std::string& s) { s += "a"; });
  list.add(2, [](std::string& s) { s += "b"; });
  list.add(1, [](std::string& s) { s += "c"; });
  list.call_if([](int tag) { return tag == 1; }, out);
  EXPECT_EQ(out, "ac");
  EXPECT_EQ(list.remove_if([](int tag) { return tag == 1; }), 2u);
  out.clear();
  list.call(out);
  EXPECT_EQ(out, "b");
}

}  // namespace
