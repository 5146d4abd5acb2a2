// Epoch-based reclamation for module versions.
//
// Readers (see hotmod/pin.hpp) publish the global epoch they entered under;
// synchronize() advances the epoch, runs a process-wide barrier so those
// stores are visible, then waits for every record still showing an older
// epoch. A reader that entered after the advance read the new epoch and,
// because the caller swapped the version pointer before calling us, also the
// new version — so it need not be waited for, and a thread calling in a tight
// loop cannot starve the reclaimer.
#include "pin/pin_domain.hpp"

#include <unistd.h>

#include <atomic>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "pin/process_barrier.hpp"

namespace hotmod::pin {
namespace {

std::atomic<void (*)()> g_first_pin_hook{nullptr};
thread_local PinRecord* t_record = nullptr;

class ProcessPinDomain final : public PinDomain {
 public:
  PinRecord* register_thread() override {
    thread_local Holder holder{this};
    if (t_record == nullptr) {
      t_record = holder.record;
      if (void (*hook)() = g_first_pin_hook.load(std::memory_order_acquire)) hook();
    }
    return holder.record;
  }

  void synchronize() override { (void)synchronize_asking(nullptr, {}); }

  bool synchronize_asking(const std::function<bool(const Straggler&)>* keep_waiting,
                          std::chrono::milliseconds every) {
    const auto start = std::chrono::steady_clock::now();
    const std::uint64_t target = epoch.fetch_add(1, std::memory_order_acq_rel) + 1;
    process_wide_barrier();
    std::vector<Known> records;
    {
      std::lock_guard lock(mu_);
      records.assign(all_.begin(), all_.end());
    }
    auto next_ask = start + every;
    for (const Known& k : records) {
      for (int spins = 0;; ++spins) {
        const std::uint64_t e = k.record->epoch.load(std::memory_order_acquire);
        if (e == 0 || e >= target) break;
        if (spins < 64) {
          std::this_thread::yield();
          continue;
        }
        std::this_thread::sleep_for(std::chrono::microseconds(100));
        if (keep_waiting == nullptr) continue;
        const auto now = std::chrono::steady_clock::now();
        if (now < next_ask) continue;
        next_ask = now + every;
        if (!(*keep_waiting)(Straggler{k.tid, now - start})) return false;
      }
    }
    return true;
  }

 private:
  // Gives each thread one record for its whole life. Records are never
  // reused: every image caches its thread's record pointer, and a
  // thread_local destructor running late in a dying thread may still pin
  // through it. A record costs one cache line; synchronize() skips idle ones.
  struct Holder {
    PinRecord* record;
    explicit Holder(ProcessPinDomain* d) : record(d->acquire()) {}
  };
  // A record and the thread it belongs to, for reports of long pins.
  struct Known {
    PinRecord* record;
    int tid;
  };

  PinRecord* acquire() {  // on the thread the record is for
    std::lock_guard lock(mu_);
    PinRecord* r = &storage_.emplace_back();
    all_.push_back({r, static_cast<int>(::gettid())});
    return r;
  }

  std::mutex mu_;
  std::deque<PinRecord> storage_;  // stable addresses
  std::vector<Known> all_;
};

ProcessPinDomain& process_domain() {
  // Never destroyed: thread_local holders of late-exiting threads use it.
  static ProcessPinDomain* d = new ProcessPinDomain();
  return *d;
}

}  // namespace

PinRecord* this_thread_record() {
  return t_record;
}

void set_first_pin_hook(void (*hook)()) {
  g_first_pin_hook.store(hook, std::memory_order_release);
}

PinDomain& domain() {
  return process_domain();
}

bool synchronize(const std::function<bool(const Straggler&)>& keep_waiting,
                 std::chrono::milliseconds every) {
  return process_domain().synchronize_asking(&keep_waiting, every);
}

}  // namespace hotmod::pin
