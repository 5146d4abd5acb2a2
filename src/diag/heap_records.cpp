// The table of recorded allocations: 64 shards, each an open-addressing
// hash table (linear probing, backward-shift deletion) behind a spin lock,
// its slots in mmap'd memory so recording never calls operator new or
// malloc. Shards keep threads that allocate at the same time apart.
#include "diag/heap_records.hpp"

#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>

namespace hotmod::diag::heap_records {

constinit std::atomic<int> g_holders{0};
constinit std::atomic<std::int64_t> g_live{0};
constinit thread_local HeapCell* t_cell = nullptr;
constinit thread_local bool t_busy = false;

namespace {

// Trivially destructible, unlike a mutex on every platform, and held for a
// few dozen instructions (a whole rehash at worst).
class SpinLock {
 public:
  void lock() noexcept {
    for (int spins = 0; locked_.exchange(true, std::memory_order_acquire);) {
      while (locked_.load(std::memory_order_relaxed))
        if (++spins > 64) sched_yield();
    }
  }
  void unlock() noexcept { locked_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> locked_{false};
};

struct Entry {
  std::uintptr_t key;  // the allocation's address; 0: empty slot
  HeapCell* cell;
  std::size_t size;
};

constexpr std::size_t kShards = 64;
constexpr std::size_t kShardBits = 6;
constexpr std::size_t kFirstCapacity = 1024;  // slots: 24 KiB, one mmap

struct Shard {
  SpinLock lock;
  Entry* slots = nullptr;
  std::size_t capacity = 0;  // a power of two
  std::size_t used = 0;
};

constinit Shard g_shards[kShards];

// A 64-bit mix (murmur3's finaliser): allocations are aligned, their low
// bits carry nothing.
std::uint64_t mix(std::uintptr_t key) noexcept {
  std::uint64_t h = key;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

Shard& shard_of(std::uint64_t hash) noexcept {
  return g_shards[hash & (kShards - 1)];
}

std::size_t home(const Shard& s, std::uint64_t hash) noexcept {
  return static_cast<std::size_t>(hash >> kShardBits) & (s.capacity - 1);
}

// The slot holding `key`, or the empty slot where it would go.
std::size_t probe(const Shard& s, std::uintptr_t key, std::uint64_t hash) noexcept {
  std::size_t i = home(s, hash);
  while (s.slots[i].key != 0 && s.slots[i].key != key) i = (i + 1) & (s.capacity - 1);
  return i;
}

Entry* map_slots(std::size_t count) noexcept {
  void* m = mmap(nullptr, count * sizeof(Entry), PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return m == MAP_FAILED ? nullptr : static_cast<Entry*>(m);  // zeroed: all empty
}

// Doubles the shard's slots; false (the table unchanged) when out of memory.
bool grow(Shard& s) noexcept {
  const std::size_t capacity = s.capacity == 0 ? kFirstCapacity : s.capacity * 2;
  Entry* slots = map_slots(capacity);
  if (slots == nullptr) return false;
  Shard bigger;
  bigger.slots = slots;
  bigger.capacity = capacity;
  for (std::size_t i = 0; i < s.capacity; ++i) {
    const Entry& e = s.slots[i];
    if (e.key != 0) bigger.slots[probe(bigger, e.key, mix(e.key))] = e;
  }
  if (s.slots != nullptr) munmap(s.slots, s.capacity * sizeof(Entry));
  s.slots = slots;
  s.capacity = capacity;
  return true;
}

void take_off(const Entry& e) noexcept {
  e.cell->bytes.fetch_sub(static_cast<std::int64_t>(e.size), std::memory_order_relaxed);
  g_live.fetch_sub(1, std::memory_order_relaxed);
}

// Empties slot `i`, moving later entries of the same probe run back so
// every entry stays reachable from its home slot without tombstones.
void erase_at(Shard& s, std::size_t i) noexcept {
  const std::size_t mask = s.capacity - 1;
  for (std::size_t j = (i + 1) & mask; s.slots[j].key != 0; j = (j + 1) & mask) {
    const std::size_t k = home(s, mix(s.slots[j].key));
    // The entry at j may fill the hole at i unless its home lies
    // cyclically in (i, j].
    const bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
    if (stays) continue;
    s.slots[i] = s.slots[j];
    i = j;
  }
  s.slots[i].key = 0;
  --s.used;
}

// A fork() while another thread holds a shard would leave the child's copy
// locked for good: hold them all across the fork, like malloc does.
void lock_all() noexcept {
  for (Shard& s : g_shards) s.lock.lock();
}
void unlock_all() noexcept {
  for (Shard& s : g_shards) s.lock.unlock();
}

}  // namespace

void prepare_for_fork() noexcept {
  static const bool registered = pthread_atfork(lock_all, unlock_all, unlock_all) == 0;
  (void)registered;
}

void record(void* p, std::size_t size, HeapCell* cell) noexcept {
  const auto key = reinterpret_cast<std::uintptr_t>(p);
  const std::uint64_t hash = mix(key);
  Shard& s = shard_of(hash);
  s.lock.lock();
  // Keep the load at most one half: probe runs stay short. When the table
  // cannot grow the allocation goes unrecorded (an undercount, not a
  // failure of operator new).
  if ((s.used + 1) * 2 > s.capacity && !grow(s)) {
    s.lock.unlock();
    return;
  }
  Entry& e = s.slots[probe(s, key, hash)];
  if (e.key == key) {
    take_off(e);  // a stale record: its memory was released without operator delete
  } else {
    e.key = key;
    ++s.used;
  }
  e.cell = cell;
  e.size = size;
  cell->bytes.fetch_add(static_cast<std::int64_t>(size), std::memory_order_relaxed);
  cell->allocations.fetch_add(1, std::memory_order_relaxed);
  g_live.fetch_add(1, std::memory_order_relaxed);
  s.lock.unlock();
}

void forget(void* p) noexcept {
  const auto key = reinterpret_cast<std::uintptr_t>(p);
  const std::uint64_t hash = mix(key);
  Shard& s = shard_of(hash);
  s.lock.lock();
  if (s.capacity != 0) {
    const std::size_t i = probe(s, key, hash);
    if (s.slots[i].key == key) {
      take_off(s.slots[i]);
      erase_at(s, i);
    }
  }
  s.lock.unlock();
}

}  // namespace hotmod::diag::heap_records
