// A hand-written table rather than a map: the crash handler reads it inside
// a signal handler, where nothing may allocate or take a lock. Writers (the
// loader, a few times per reload) take a mutex among themselves.
#include "contain/image_table.hpp"

#include <dlfcn.h>
#include <link.h>
#include <sys/mman.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "contain/contain.hpp"

namespace hotmod::contain {
namespace {

// More module versions than any process keeps mapped at once: current
// versions and retired ones still pinned.
constexpr std::size_t kSlots = 1024;

constexpr std::size_t kRanges = 4;

struct Slot {
  std::atomic<const void*> map{nullptr};
  std::atomic<std::int64_t> retired_ns{0};  // set after the facts are published
  std::atomic<bool> current{false};
  // Guarded code, given back by whoever takes `guarded` from true to false.
  std::atomic<bool> guarded{false};
  // Its retired code ran again outside any call (revive_map): it may still.
  std::atomic<bool> revived{false};
  GuardRange ranges[kRanges] = {};
  std::size_t range_count = 0;
  ImageFacts facts{};
};

std::array<Slot, kSlots>& slots() {
  static std::array<Slot, kSlots>* table = new std::array<Slot, kSlots>();  // outlives every crash
  return *table;
}

// One past the highest slot ever used: lookups stop there.
std::atomic<std::size_t> g_used{0};

std::mutex& writers() {
  static std::mutex* mu = new std::mutex();
  return *mu;
}

}  // namespace

void copy_name(char* to, std::size_t size, const char* from, std::size_t length) {
  const std::size_t n = std::min(length, size - 1);
  std::copy_n(from, n, to);
  to[n] = '\0';
}

bool remember_image(const void* map, std::string_view module, std::string_view version,
                    std::uint64_t generation, std::uint64_t content_hash, const void* owner) {
  std::lock_guard lock(writers());
  for (std::size_t i = 0; i < kSlots; ++i) {
    Slot& s = slots()[i];
    if (s.map.load(std::memory_order_relaxed) != nullptr) continue;
    copy_name(s.facts.module, sizeof s.facts.module, module.data(), module.size());
    copy_name(s.facts.version, sizeof s.facts.version, version.data(), version.size());
    s.facts.generation = generation;
    s.facts.content_hash = content_hash;
    s.facts.owner = owner;
    s.facts.retired_ns = 0;
    s.retired_ns.store(0, std::memory_order_relaxed);
    s.current.store(false, std::memory_order_relaxed);
    s.guarded.store(false, std::memory_order_relaxed);
    s.revived.store(false, std::memory_order_relaxed);
    s.range_count = 0;
    if (g_used.load(std::memory_order_relaxed) <= i) g_used.store(i + 1, std::memory_order_release);
    s.map.store(map, std::memory_order_release);
    return true;
  }
  return false;
}

void forget_image(const void* map) {
  std::lock_guard lock(writers());
  for (Slot& s : slots()) {
    if (s.map.load(std::memory_order_relaxed) == map) {
      s.map.store(nullptr, std::memory_order_release);
      return;
    }
  }
}

void mark_retired(const void* map, std::int64_t when_ns, const GuardRange* ranges,
                  std::size_t count) {
  std::lock_guard lock(writers());
  for (Slot& s : slots()) {
    if (s.map.load(std::memory_order_relaxed) != map) continue;
    s.current.store(false, std::memory_order_relaxed);
    s.range_count = std::min(count, kRanges);
    std::copy_n(ranges, s.range_count, s.ranges);
    s.guarded.store(when_ns != 0 && count > 0, std::memory_order_release);
    s.retired_ns.store(when_ns, std::memory_order_release);
    return;
  }
}

namespace {
bool unguard_slot(Slot& s) {
  bool expected = true;
  if (!s.guarded.compare_exchange_strong(expected, false, std::memory_order_acq_rel)) return true;
  bool ok = true;
  for (std::size_t i = 0; i < s.range_count; ++i)
    if (mprotect(reinterpret_cast<void*>(s.ranges[i].start), s.ranges[i].size,
                 s.ranges[i].protection) != 0)
      ok = false;
  return ok;
}
}  // namespace

bool unguard_map(const void* map) {
  bool ok = true;
  const std::size_t used = g_used.load(std::memory_order_acquire);
  for (std::size_t i = 0; i < used; ++i) {
    Slot& s = slots()[i];
    const void* here = s.map.load(std::memory_order_acquire);
    if (here == nullptr || (map != nullptr && here != map)) continue;
    if (!unguard_slot(s)) ok = false;
  }
  return ok;
}

void mark_revived(const void* map) {
  const std::size_t used = g_used.load(std::memory_order_acquire);
  for (std::size_t i = 0; i < used; ++i) {
    Slot& s = slots()[i];
    if (s.map.load(std::memory_order_acquire) == map)
      s.revived.store(true, std::memory_order_seq_cst);
  }
}

bool revived(const void* map) {
  const std::size_t used = g_used.load(std::memory_order_acquire);
  for (std::size_t i = 0; i < used; ++i) {
    const Slot& s = slots()[i];
    if (s.map.load(std::memory_order_acquire) == map)
      return s.revived.load(std::memory_order_seq_cst);
  }
  return false;
}

bool set_current(const void* map) {
  std::lock_guard lock(writers());
  Slot* marked = nullptr;
  for (Slot& s : slots())
    if (s.map.load(std::memory_order_relaxed) == map) marked = &s;
  if (marked == nullptr) return false;
  for (Slot& s : slots())
    if (s.map.load(std::memory_order_relaxed) != nullptr && s.facts.owner == marked->facts.owner &&
        std::strncmp(s.facts.module, marked->facts.module, sizeof s.facts.module) == 0)
      s.current.store(&s == marked, std::memory_order_release);
  return true;
}

bool find_image(const void* map, ImageFacts* out) {
  const std::size_t used = g_used.load(std::memory_order_acquire);
  for (std::size_t i = 0; i < used; ++i) {
    Slot& s = slots()[i];
    if (s.map.load(std::memory_order_acquire) == map) {
      *out = s.facts;
      out->retired_ns = s.retired_ns.load(std::memory_order_acquire);
      return true;
    }
  }
  return false;
}

bool find_current(const char* module, const void* owner, ImageFacts* out) {
  const std::size_t used = g_used.load(std::memory_order_acquire);
  for (std::size_t i = 0; i < used; ++i) {
    Slot& s = slots()[i];
    if (s.map.load(std::memory_order_acquire) == nullptr ||
        !s.current.load(std::memory_order_acquire) || s.facts.owner != owner ||
        std::strncmp(s.facts.module, module, sizeof s.facts.module) != 0)
      continue;
    *out = s.facts;  // set_current() marks one per module and owner
    out->retired_ns = 0;
    return true;
  }
  return false;
}

namespace {
const void* link_map_of(void* handle) {
  link_map* map = nullptr;
  if (handle == nullptr || dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0) return nullptr;
  return map;
}
}  // namespace

void add_image(void* handle, std::string_view module, std::string_view version,
               std::uint64_t generation, std::uint64_t content_hash, const void* owner) {
  if (const void* map = link_map_of(handle))
    remember_image(map, module, version, generation, content_hash, owner);
}

void remove_image(void* handle) {
  if (const void* map = link_map_of(handle)) forget_image(map);
}

namespace {
// Registered after each image is guarded, so it runs at exit before the
// handlers that image registered when it was loaded, and before the dynamic
// loader runs its finalizers.
void unguard_at_exit() {
  (void)unguard_map(nullptr);
}
}  // namespace

void retire_image(void* handle, const GuardRange* ranges, std::size_t count) {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  if (const void* map = link_map_of(handle))
    mark_retired(map, std::int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec, ranges, count);
  // Each time, not once: the image's function-local statics may have
  // registered their destructors at any point before now.
  std::atexit(&unguard_at_exit);
}

void unretire_image(void* handle) {
  if (const void* map = link_map_of(handle)) mark_retired(map, 0, nullptr, 0);
}

bool unguard_image(void* handle) {
  const void* map = link_map_of(handle);
  return map == nullptr || unguard_map(map);
}

bool ran_after_retirement(void* handle) {
  const void* map = link_map_of(handle);
  return map != nullptr && revived(map);
}

void mark_current(void* handle) {
  if (const void* map = link_map_of(handle)) (void)set_current(map);
}

}  // namespace hotmod::contain
