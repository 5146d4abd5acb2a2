#include "diag/heap_accounting.hpp"

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include "diag/heap_records.hpp"

namespace hotmod::diag {

#ifndef HOTMOD_NO_HEAP_HOOKS
// heap_hooks.cpp: referencing it links the operator new/delete replacement
// out of the static library into every program that uses heap accounting,
// whatever else the program references.
bool heap_hooks_linked();
#else
bool heap_hooks_linked() {
  return false;
}
#endif

namespace {

struct Cells {
  std::mutex mutex;
  std::unordered_map<std::string, HeapCell*> by_name;
};

// Leaked on purpose, like the cells: deletes of recorded allocations may
// run during and after static destruction.
Cells& cells() {
  static Cells* const all = new Cells;
  return *all;
}

}  // namespace

HeapCell* heap_cell(std::string_view module) {
  // The map's own nodes are not any module's allocations.
  heap_records::Busy busy;
  Cells& all = cells();
  std::lock_guard lock(all.mutex);
  auto [it, added] = all.by_name.try_emplace(std::string(module), nullptr);
  if (added) it->second = new HeapCell;
  return it->second;
}

bool heap_accounting_available() {
  return heap_hooks_linked();
}

void hold_heap_tracking() {
  if (!heap_hooks_linked()) return;
  heap_records::prepare_for_fork();
  heap_records::g_holders.fetch_add(1, std::memory_order_relaxed);
}

void release_heap_tracking() {
  if (heap_hooks_linked()) heap_records::g_holders.fetch_sub(1, std::memory_order_relaxed);
}

bool heap_tracking() {
  return heap_records::g_holders.load(std::memory_order_relaxed) > 0;
}

HeapScope::HeapScope(HeapCell* cell) noexcept
    : previous_(std::exchange(heap_records::t_cell, cell)) {}

HeapScope::~HeapScope() {
  heap_records::t_cell = previous_;
}

}  // namespace hotmod::diag
