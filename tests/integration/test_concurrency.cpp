// Calls from many threads while the module reloads underneath them, and
// concurrent first uses that must load the module exactly once.
#include <atomic>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "crasher_api.hpp"
#include "support.hpp"

namespace hotmod_test {
namespace {

using counter_fixture::ICounter;

class ConcurrencyTest : public RuntimeTest {};

constexpr int kThreads = 8;

// Waits until each thread has made a call: the reloads start under load.
bool every_thread_called(const std::vector<std::atomic<long>>& calls) {
  return wait_until([&] {
    for (const auto& c : calls)
      if (c.load() == 0) return false;
    return true;
  });
}

TEST_F(ConcurrencyTest, CallsDuringReloadsAlwaysReachAVersion) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(options());
  hotmod::Module m = load(rt);
  auto ref = rt.ref<ICounter>("counter");
  ASSERT_TRUE(ref.ok()) << ref.error().message;
  const hotmod::Ref<ICounter> counter = ref.value();

  std::atomic<bool> stop{false};
  std::atomic<long> bad{0};
  std::vector<std::atomic<long>> calls(kThreads);
  std::mutex first_error_mutex;
  std::string first_error;
  auto note_bad = [&](const std::string& what) {
    ++bad;
    std::lock_guard lock(first_error_mutex);
    if (first_error.empty()) first_error = what;
  };

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      while (!stop.load(std::memory_order_relaxed)) {
        if (t % 2 == 0) {
          hotmod::Result<hotmod::Value> v = m.call("version");
          if (!v.ok())
            note_bad("call: " + v.error().message);
          else if (v.value() != 1 && v.value() != 2)
            note_bad("call gave " + v.value().dump());
          hotmod::Result<int> sum = m.call_as<int>("add", t, 1);
          if (!sum.ok() || sum.value() != t + 1) note_bad("add failed");
        } else {
          int v = counter->version();
          if (v != 1 && v != 2) note_bad("ref gave " + std::to_string(v));
        }
        calls[static_cast<std::size_t>(t)].fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  // Every thread is calling before the first reload.
  ASSERT_TRUE(every_thread_called(calls));

  for (int i = 0; i < 50; ++i) {
    install(i % 2 == 0 ? fixtures::counter_v2 : fixtures::counter_v1);
    hotmod::ReloadStats s = rt.reload("counter");
    if (!s.success) ADD_FAILURE() << "reload " << i << ": " << s.error;
  }
  stop = true;
  for (auto& th : threads) th.join();

  EXPECT_EQ(bad.load(), 0) << first_error;
  EXPECT_EQ(call_int(m, "version"), 1);
  EXPECT_EQ(counter->version(), 1);
  EXPECT_EQ(rt.info("counter")->reload_count, 50u);
  rt.wait_for_unloads();
  EXPECT_EQ(files_under(versions()).size(), 1u);
}

// State kept across reloads under the immediate policy while calls are in
// flight: every call's increment lands in the one state object, none is lost
// to a reload in between, whichever version served it.
TEST_F(ConcurrencyTest, StateWrittenDuringReloadsLosesNoWrite) {
  install(fixtures::crasher_v1, "crasher.so");
  hotmod::Runtime rt(options());
  hotmod::Module m = load(rt, "crasher");
  hotmod::Ref<crasher_fixture::ICrasher> crasher =
      rt.ref<crasher_fixture::ICrasher>("crasher").value();

  std::atomic<bool> stop{false};
  std::atomic<long> failed{0};
  std::vector<std::atomic<long>> calls(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      while (!stop.load(std::memory_order_relaxed)) {
        if (t % 2 == 0) {
          if (!m.call_as<int>("calls").ok()) {
            ++failed;
            continue;
          }
        } else {
          (void)crasher->calls();
        }
        calls[static_cast<std::size_t>(t)].fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  ASSERT_TRUE(every_thread_called(calls));
  for (int i = 0; i < 50; ++i) {
    install(i % 2 == 0 ? fixtures::crasher_v2 : fixtures::crasher_v1, "crasher.so");
    hotmod::ReloadStats s = rt.reload("crasher");
    if (!s.success) ADD_FAILURE() << "reload " << i << ": " << s.error;
  }
  stop = true;
  for (auto& th : threads) th.join();

  long total = 0;
  for (const auto& c : calls) total += c.load();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(rt.info("crasher")->reload_count, 50u);
  EXPECT_EQ(call_int(m, "calls"), total + 1) << "every call's increment is in the state";
}

TEST_F(ConcurrencyTest, ConcurrentFirstUsesLoadExactlyOnce) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(options());
  EventLog events(rt.bus());
  std::latch start(kThreads);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      hotmod::Result<hotmod::Module> m = rt.module("counter");
      if (m.ok() && m.value().call_as<int>("version").value() == 1) ++ok;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), kThreads);
  EXPECT_EQ(events.count("module.loaded"), 1u);
  EXPECT_EQ(events.count("test.on_load"), 1u);
  EXPECT_EQ(call_int(load(rt), "loads"), 1);
  EXPECT_EQ(mapped_under(versions()).size(), 1u);
}

TEST_F(ConcurrencyTest, ConcurrentReloadsOfOneModuleAreSerialised) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(options());
  hotmod::Module m = load(rt);
  (void)call_int(m, "increment");
  std::latch start(4);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      for (int i = 0; i < 5; ++i)
        if (!rt.reload("counter").success) ++failures;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(rt.info("counter")->reload_count, 20u);
  EXPECT_EQ(call_int(m, "loads"), 21) << "every version's on_load ran once";
  EXPECT_EQ(call_int(m, "unloads"), 20);
  EXPECT_EQ(call_int(m, "value"), 1);
  rt.wait_for_unloads();
  EXPECT_EQ(files_under(versions()).size(), 1u);
}

}  // namespace
}  // namespace hotmod_test
