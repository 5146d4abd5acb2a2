// Heap accounting for real: the probe library stands in for a module, and
// its operator new calls must reach the host's replacement for anything to
// be counted.
#include <dlfcn.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "diag/heap_accounting.hpp"
#include "probe.hpp"

// Sanitizers abort on an impossible allocation unless told to let malloc
// return null as it normally does.
extern "C" const char* __asan_default_options() {
  return "allocator_may_return_null=1";
}
extern "C" const char* __tsan_default_options() {
  return "allocator_may_return_null=1";
}

namespace {

namespace fs = std::filesystem;
using diag_test::Probe;
using hotmod::diag::heap_cell;
using hotmod::diag::HeapCell;
using hotmod::diag::HeapScope;

using NewArray = char* (*)(std::size_t);
using DeleteArray = void (*)(char*);
using Size = std::size_t (*)();
using NewObject = void* (*)();
using DeleteObject = void (*)(void*);

std::int64_t bytes(const HeapCell* cell) {
  return cell->bytes.load();
}
std::uint64_t allocations(const HeapCell* cell) {
  return cell->allocations.load();
}

// Holds tracking on for one test.
class Tracking {
 public:
  Tracking() { hotmod::diag::hold_heap_tracking(); }
  ~Tracking() { hotmod::diag::release_heap_tracking(); }
  Tracking(const Tracking&) = delete;
  Tracking& operator=(const Tracking&) = delete;
};

TEST(HeapAccounting, CellsAreInternedByName) {
  HeapCell* a = heap_cell("diag.interned.a");
  EXPECT_EQ(heap_cell("diag.interned.a"), a);
  EXPECT_NE(heap_cell("diag.interned.b"), a);
}

TEST(HeapAccounting, NothingIsRecordedWhileTrackingIsOff) {
  ASSERT_FALSE(hotmod::diag::heap_tracking());
  Probe probe;
  HeapCell* cell = heap_cell("diag.off");
  const std::int64_t before = bytes(cell);
  const std::uint64_t made = allocations(cell);
  auto allocate = probe.get<NewArray>("probe_new_array");
  char* p = nullptr;
  {
    HeapScope scope(cell);
    p = allocate(4096);
  }
  EXPECT_EQ(bytes(cell), before);
  EXPECT_EQ(allocations(cell), made);
  delete[] p;
  EXPECT_EQ(bytes(cell), before);
}

// A pebibyte: Linux gives a process at most 2^47 (x86-64) or 2^48 (AArch64)
// bytes of address space unless asked for more, so malloc fails at once,
// whatever the overcommit setting.
constexpr std::size_t kImpossible = std::size_t{1} << 50;

int g_handler_calls = 0;

TEST(HeapAccounting, FailedAllocationsCallTheNewHandlerThenThrowOrReturnNull) {
  Probe probe;
  auto allocate = probe.get<NewArray>("probe_new_array");
  auto allocate_nothrow = probe.get<NewArray>("probe_new_nothrow");
  EXPECT_THROW(allocate(kImpossible), std::bad_alloc);
  EXPECT_EQ(allocate_nothrow(kImpossible), nullptr);
  // A new-handler is called until it gives up (here: removes itself).
  std::set_new_handler([] {
    ++g_handler_calls;
    if (g_handler_calls == 3) std::set_new_handler(nullptr);
  });
  EXPECT_THROW(allocate(kImpossible), std::bad_alloc);
  EXPECT_EQ(g_handler_calls, 3);
}

#ifndef HOTMOD_TEST_NO_HEAP_HOOKS

TEST(HeapAccounting, TheExecutableExportsEveryOperatorNewAndDelete) {
  ASSERT_TRUE(hotmod::diag::heap_accounting_available());
  const fs::path exe = fs::canonical("/proc/self/exe");
  // A module's operator new binds to what the global scope finds first.
  for (const char* name : {"_Znwm",
                           "_Znam",
                           "_ZnwmRKSt9nothrow_t",
                           "_ZnamRKSt9nothrow_t",
                           "_ZnwmSt11align_val_t",
                           "_ZnamSt11align_val_t",
                           "_ZnwmSt11align_val_tRKSt9nothrow_t",
                           "_ZnamSt11align_val_tRKSt9nothrow_t",
                           "_ZdlPv",
                           "_ZdaPv",
                           "_ZdlPvm",
                           "_ZdaPvm",
                           "_ZdlPvRKSt9nothrow_t",
                           "_ZdaPvRKSt9nothrow_t",
                           "_ZdlPvSt11align_val_t",
                           "_ZdaPvSt11align_val_t",
                           "_ZdlPvmSt11align_val_t",
                           "_ZdaPvmSt11align_val_t",
                           "_ZdlPvSt11align_val_tRKSt9nothrow_t",
                           "_ZdaPvSt11align_val_tRKSt9nothrow_t"}) {
    void* symbol = dlsym(RTLD_DEFAULT, name);
    ASSERT_NE(symbol, nullptr) << name;
    Dl_info info{};
    ASSERT_NE(dladdr(symbol, &info), 0) << name;
    EXPECT_EQ(fs::canonical(info.dli_fname), exe) << name << " comes from " << info.dli_fname;
  }
}

TEST(HeapAccounting, AModuleAllocationCountsUntilTheHostFreesIt) {
  Probe probe;
  auto allocate = probe.get<NewArray>("probe_new_array");
  Tracking tracking;
  HeapCell* cell = heap_cell("diag.grow");
  const std::int64_t before = bytes(cell);
  const std::uint64_t made = allocations(cell);
  const std::size_t n = 1000;
  char* p = nullptr;
  {
    HeapScope scope(cell);
    p = allocate(n);
  }
  EXPECT_EQ(bytes(cell), before + static_cast<std::int64_t>(n));
  EXPECT_EQ(allocations(cell), made + 1);
  delete[] p;  // by the host, outside any scope
  EXPECT_EQ(bytes(cell), before);
  EXPECT_EQ(allocations(cell), made + 1);  // allocations made, not live
}

TEST(HeapAccounting, AnAllocationOutlivesItsModule) {
  Tracking tracking;
  HeapCell* cell = heap_cell("diag.outlives");
  const std::int64_t before = bytes(cell);
  char* p = nullptr;
  {
    Probe probe;
    auto allocate = probe.get<NewArray>("probe_new_array");
    HeapScope scope(cell);
    p = allocate(64);
  }  // unloaded
  EXPECT_EQ(bytes(cell), before + 64);
  delete[] p;
  EXPECT_EQ(bytes(cell), before);
}

TEST(HeapAccounting, EveryFormOfNewAndDeleteIsCounted) {
  Probe probe;
  Tracking tracking;
  HeapCell* cell = heap_cell("diag.forms");
  const std::int64_t before = bytes(cell);
  const std::size_t object = probe.get<Size>("probe_object_size")();
  const std::size_t aligned = probe.get<Size>("probe_aligned_size")();
  const std::size_t alignment = probe.get<Size>("probe_aligned_alignment")();
  auto new_object = probe.get<NewObject>("probe_new_object");
  auto new_aligned = probe.get<NewObject>("probe_new_aligned");
  auto new_nothrow = probe.get<NewArray>("probe_new_nothrow");
  const std::size_t nothrow = 300;
  void* o = nullptr;
  void* a = nullptr;
  char* t = nullptr;
  {
    HeapScope scope(cell);
    o = new_object();
    a = new_aligned();
    t = new_nothrow(nothrow);
  }
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(a) % alignment, 0u);
  EXPECT_EQ(bytes(cell), before + static_cast<std::int64_t>(object + aligned + nothrow));
  probe.get<DeleteObject>("probe_delete_object")(o);  // sized delete
  EXPECT_EQ(bytes(cell), before + static_cast<std::int64_t>(aligned + nothrow));
  probe.get<DeleteObject>("probe_delete_aligned")(a);  // aligned sized delete
  probe.get<DeleteArray>("probe_delete_array")(t);
  EXPECT_EQ(bytes(cell), before);
}

TEST(HeapAccounting, FreesAreMatchedAfterTrackingIsReleased) {
  Probe probe;
  HeapCell* cell = heap_cell("diag.released");
  const std::int64_t before = bytes(cell);
  auto allocate = probe.get<NewArray>("probe_new_array");
  char* p = nullptr;
  {
    Tracking tracking;
    HeapScope scope(cell);
    p = allocate(512);
  }
  ASSERT_FALSE(hotmod::diag::heap_tracking());
  EXPECT_EQ(bytes(cell), before + 512);
  delete[] p;
  EXPECT_EQ(bytes(cell), before);
}

TEST(HeapAccounting, TrackingIsHeldByEveryHolder) {
  ASSERT_FALSE(hotmod::diag::heap_tracking());
  {
    Tracking first;
    {
      Tracking second;
      EXPECT_TRUE(hotmod::diag::heap_tracking());
    }
    EXPECT_TRUE(hotmod::diag::heap_tracking());
  }
  EXPECT_FALSE(hotmod::diag::heap_tracking());
}

TEST(HeapAccounting, NestedScopesAttributeToTheInnerCell) {
  Probe probe;
  auto allocate = probe.get<NewArray>("probe_new_array");
  Tracking tracking;
  HeapCell* outer = heap_cell("diag.outer");
  HeapCell* inner = heap_cell("diag.inner");
  const std::int64_t outer_before = bytes(outer);
  const std::int64_t inner_before = bytes(inner);
  char* a = nullptr;
  char* b = nullptr;
  char* c = nullptr;
  {
    HeapScope in_a(outer);
    a = allocate(100);
    {
      HeapScope in_b(inner);  // module A calls module B
      b = allocate(200);
    }
    c = allocate(300);  // back in A
  }
  EXPECT_EQ(bytes(outer), outer_before + 400);
  EXPECT_EQ(bytes(inner), inner_before + 200);
  delete[] a;
  delete[] b;
  delete[] c;
  EXPECT_EQ(bytes(outer), outer_before);
  EXPECT_EQ(bytes(inner), inner_before);
}

TEST(HeapAccounting, ConcurrentThreadsEndBalanced) {
  Probe probe;
  auto allocate = probe.get<NewArray>("probe_new_array");
  auto release = probe.get<DeleteArray>("probe_delete_array");
  Tracking tracking;
  HeapCell* cell = heap_cell("diag.threads");
  const std::int64_t before = bytes(cell);
  const std::uint64_t made = allocations(cell);
  constexpr int kThreads = 4;
  constexpr int kEach = 2000;
  // Reserved ahead: the threads' own bookkeeping allocates nothing in scope.
  std::vector<std::vector<char*>> blocks(kThreads);
  for (std::vector<char*>& mine : blocks) mine.reserve(kEach);
  std::int64_t requested = 0;
  std::mutex requested_mutex;
  std::int64_t at_peak = 0;
  std::barrier all_allocated(kThreads, [&]() noexcept { at_peak = bytes(cell); });
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::int64_t mine = 0;
      {
        HeapScope scope(cell);
        for (int i = 0; i < kEach; ++i) {
          const std::size_t n = 1 + static_cast<std::size_t>((i * 37 + t * 11) % 500);
          blocks[static_cast<std::size_t>(t)].push_back(allocate(n));
          mine += static_cast<std::int64_t>(n);
        }
      }
      {
        std::lock_guard lock(requested_mutex);
        requested += mine;
      }
      all_allocated.arrive_and_wait();
      // Free a neighbour's blocks: deletes on another thread than the new.
      for (char* p : blocks[static_cast<std::size_t>((t + 1) % kThreads)]) release(p);
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(at_peak, before + requested);
  EXPECT_EQ(bytes(cell), before);
  EXPECT_EQ(allocations(cell), made + kThreads * kEach);
}

TEST(HeapAccounting, AForkedChildCanStillAllocate) {
  Probe probe;
  auto allocate = probe.get<NewArray>("probe_new_array");
  auto release = probe.get<DeleteArray>("probe_delete_array");
  Tracking tracking;
  HeapCell* busy = heap_cell("diag.fork.parent");
  HeapCell* child_cell = heap_cell("diag.fork.child");
  // Another thread records and forgets all along, so forks land while it
  // holds a shard of the table.
  std::atomic<bool> stop{false};
  std::thread churn([&] {
    HeapScope scope(busy);
    while (!stop.load()) release(allocate(24));
  });
  int hung = 0;
  int failed = 0;
  for (int i = 0; i < 20; ++i) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // Enough allocations to reach every shard, the one held at the fork too.
      constexpr int kBlocks = 1000;
      const std::int64_t before = bytes(child_cell);
      char* blocks[kBlocks];
      {
        HeapScope scope(child_cell);
        for (char*& b : blocks) b = allocate(100);
      }
      const bool counted = bytes(child_cell) == before + 100 * kBlocks;
      for (char* b : blocks) release(b);
      _exit(counted && bytes(child_cell) == before ? 0 : 1);
    }
    int status = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (waitpid(pid, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        ++hung;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0) ++failed;
    if (hung > 0) break;  // one is enough to know
  }
  stop = true;
  churn.join();
  EXPECT_EQ(hung, 0);
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(bytes(busy), 0);
}

#else

// Built without HOTMOD_HEAP_ACCOUNTING: operator new is libstdc++'s, and
// holding tracking changes nothing.
TEST(HeapAccounting, WithoutTheReplacementNothingIsTracked) {
  EXPECT_FALSE(hotmod::diag::heap_accounting_available());
  Probe probe;
  auto allocate = probe.get<NewArray>("probe_new_array");
  Tracking tracking;
  EXPECT_FALSE(hotmod::diag::heap_tracking());
  HeapCell* cell = heap_cell("diag.unavailable");
  char* p = nullptr;
  {
    HeapScope scope(cell);
    p = allocate(256);
  }
  EXPECT_EQ(bytes(cell), 0);
  EXPECT_EQ(allocations(cell), 0u);
  delete[] p;
}

#endif

}  // namespace
