// hotmod/pin.hpp — keeping a module version's code mapped while it runs.
//
// Every call into module code (typed refs, dynamic calls, event delivery)
// happens inside a Pin. A pin is a read-side critical section of an epoch
// scheme (userspace RCU, "memb" flavour): entering stores the current global
// epoch into this thread's record, leaving stores zero. Neither needs an
// atomic read-modify-write or a fence on the calling thread; the runtime's
// reclaimer issues membarrier(2) instead, then waits until no thread is
// still inside a pin that began before the swap. Only then is the old image
// closed. Cost on the calling thread: a handful of plain loads and stores.
//
// Thread-safety: Pin is used by one thread; the domain is process-wide.
#pragma once

#include <atomic>
#include <cstdint>

namespace hotmod {

// One per thread that ever pinned. Owned by the domain, never freed while the
// process runs (records of exited threads are reused).
struct alignas(64) PinRecord {
  std::atomic<std::uint64_t> epoch{0};  // 0 = not inside a pin
  std::uint32_t depth = 0;              // nesting, touched by the owner only
  // Where the outermost pins live (their stack addresses, by depth): after a
  // contained crash, pins of the abandoned frames are told from the host's.
  static constexpr std::uint32_t kTracked = 5;
  const void* at[kTracked] = {};
};

// The process-wide epoch domain. Implemented by the runtime; modules reach it
// through the pointer stored in every interface cell, so they need not link
// against hotmod.
class PinDomain {
 public:
  std::atomic<std::uint64_t> epoch{1};

  // Gives the calling thread its record (first pin on this thread).
  virtual PinRecord* register_thread() = 0;
  // Blocks until every pin that began before this call has ended.
  // Must not be called from inside a pin on the same thread.
  virtual void synchronize() = 0;

 protected:
  ~PinDomain() = default;
};

namespace detail {
// Each image (host, every module) caches its thread's record here. Hidden so
// a module never exports it: an exported inline variable would become an
// STB_GNU_UNIQUE symbol and keep the module from unloading.
[[gnu::visibility("hidden")]] inline thread_local PinRecord* tls_pin_record = nullptr;
}  // namespace detail

class Pin {
 public:
  explicit Pin(PinDomain* domain) {
    PinRecord* r = detail::tls_pin_record;
    if (r == nullptr) [[unlikely]] {
      r = domain->register_thread();
      detail::tls_pin_record = r;
    }
    record_ = r;
    const std::uint32_t outer = r->depth++;
    if (outer < PinRecord::kTracked) r->at[outer] = this;
    if (outer == 0) {
      r->epoch.store(domain->epoch.load(std::memory_order_acquire), std::memory_order_relaxed);
      // The reclaimer's membarrier orders this store before our later loads
      // of the current version; here we only stop the compiler reordering.
      std::atomic_signal_fence(std::memory_order_seq_cst);
    }
  }
  ~Pin() {
    if (--record_->depth == 0) record_->epoch.store(0, std::memory_order_release);
  }
  Pin(const Pin&) = delete;
  Pin& operator=(const Pin&) = delete;

 private:
  PinRecord* record_;
};

}  // namespace hotmod
