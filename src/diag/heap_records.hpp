// The bookkeeping behind heap accounting, shared by the operator new/delete
// replacement (heap_hooks.cpp) and heap_accounting.cpp: which allocations
// are recorded, against which cell, and the gates operator new and delete
// check first. Nothing here allocates with operator new (the table lives in
// mmap'd memory), and everything is constant-initialised, so it works
// before main and after static destruction.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "diag/heap_accounting.hpp"

namespace hotmod::diag::heap_records {

extern constinit std::atomic<int> g_holders;        // hold_heap_tracking() calls
extern constinit std::atomic<std::int64_t> g_live;  // recorded, not yet freed
extern constinit thread_local HeapCell* t_cell;     // the open HeapScope's cell
extern constinit thread_local bool t_busy;          // in hotmod's own bookkeeping

// Keeps the table usable in a child process after fork(). Idempotent;
// called when tracking is first held.
void prepare_for_fork() noexcept;

// Records `p` (`size` bytes requested) against `cell`.
void record(void* p, std::size_t size, HeapCell* cell) noexcept;
// Takes `p` off its cell if it was recorded.
void forget(void* p) noexcept;

// After every successful operator new.
inline void after_new(void* p, std::size_t size) noexcept {
  if (g_holders.load(std::memory_order_relaxed) == 0) return;
  HeapCell* cell = t_cell;
  if (cell != nullptr && !t_busy) record(p, size, cell);
}

// Before every operator delete. Frees are matched even once tracking is
// off, so cells stay balanced. The count is exact for any `p` whose
// allocation happens-before its delete, which is every valid delete.
inline void before_delete(void* p) noexcept {
  if (g_live.load(std::memory_order_relaxed) != 0 && p != nullptr) forget(p);
}

// Marks this thread as inside hotmod's bookkeeping for a scope: its
// allocations are not recorded.
class Busy {
 public:
  Busy() noexcept : was_(t_busy) { t_busy = true; }
  ~Busy() { t_busy = was_; }
  Busy(const Busy&) = delete;
  Busy& operator=(const Busy&) = delete;

 private:
  bool was_;
};

}  // namespace hotmod::diag::heap_records
