// Dev mode's heap accounting: the bytes each module's code allocated with
// operator new and has not freed yet.
//
// The hotmod library replaces the global operator new and delete
// (heap_hooks.cpp) and the host exports them, so module code calls them too.
// While a HeapScope is open on a thread and tracking is held, every
// allocation made on that thread is recorded against the scope's cell; its
// delete, on any thread and at any later time, takes it off again. Recorded
// sizes are the sizes requested from operator new, not what malloc rounded
// them up to. Allocations made with malloc() directly, and those of threads
// a module starts itself, are not seen.
//
// Built without HOTMOD_HEAP_ACCOUNTING (CMake option) there is no
// replacement: heap_accounting_available() is false and nothing is tracked.
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

namespace hotmod::diag {

struct HeapCell {
  std::atomic<std::int64_t> bytes{0};         // live: recorded and not freed yet
  std::atomic<std::uint64_t> allocations{0};  // recorded, ever
};

// The cell of `module`, the same one for every call with that name. Cells
// live until the process exits (never freed), so an allocation recorded
// against one can be freed after its module is unloaded.
HeapCell* heap_cell(std::string_view module);

// Whether operator new and delete are hotmod's (HOTMOD_HEAP_ACCOUNTING).
bool heap_accounting_available();

// Each runtime in dev mode holds tracking on; it is off once none does.
// Off, operator new costs one relaxed load, and operator delete one relaxed
// load once every recorded allocation has been freed.
void hold_heap_tracking();
void release_heap_tracking();
bool heap_tracking();  // available and held

// Attributes this thread's allocations to `cell` until destroyed, then to
// whatever cell was current before (module A calling module B: B's scope
// is inner). A null cell attributes to nobody.
class HeapScope {
 public:
  explicit HeapScope(HeapCell* cell) noexcept;
  ~HeapScope();
  HeapScope(const HeapScope&) = delete;
  HeapScope& operator=(const HeapScope&) = delete;

 private:
  HeapCell* previous_;
};

}  // namespace hotmod::diag
