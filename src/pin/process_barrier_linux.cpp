#include "pin/process_barrier.hpp"

#include <linux/membarrier.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <mutex>

namespace hotmod::pin {
namespace {

long membarrier(int cmd) {
  return syscall(__NR_membarrier, cmd, 0, 0);
}

bool membarrier_available() {
  static const bool ok = membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
  return ok;
}

// Fallback when membarrier(2) is filtered (old kernels, some sandboxes):
// changing a page's protection makes the kernel shoot down the TLB on every
// CPU running this process, which serialises them (the trick behind
// FlushProcessWriteBuffers).
void mprotect_barrier() {
  static std::mutex mu;
  static void* page =
      mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  std::lock_guard lock(mu);
  mprotect(page, 4096, PROT_READ | PROT_WRITE);
  static_cast<volatile char*>(page)[0] = 1;  // make the page present
  mprotect(page, 4096, PROT_NONE);
}

}  // namespace

void process_wide_barrier() {
  // No fence needed here: both system calls are full barriers on the calling
  // thread too (and TSan cannot model a standalone fence).
  if (membarrier_available() && membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0) return;
  mprotect_barrier();
}

}  // namespace hotmod::pin
