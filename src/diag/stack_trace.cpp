#include "diag/stack_trace.hpp"

#include <signal.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include <backward.hpp>

#include "contain/frames_text.hpp"

namespace hotmod::diag {

#ifndef HOTMOD_NO_THROW_HOOK
bool throw_hook_linked();  // throw_hook.cpp: referencing it links the hook
#else
bool throw_hook_linked() {
  return false;
}
#endif

namespace {

std::atomic<int> g_holders{0};
thread_local int t_module_depth = 0;
thread_local std::unique_ptr<backward::StackTrace> t_last_throw;

// The throw site and the calls leading to it inside the module; deeper
// frames are the host's own, which the host's debugger already shows.
constexpr std::size_t kMaxFrames = 12;

}  // namespace

void hold_traces() {
  (void)throw_hook_linked();
  g_holders.fetch_add(1, std::memory_order_relaxed);
}

void release_traces() {
  g_holders.fetch_sub(1, std::memory_order_relaxed);
}

bool traces_on() {
  return g_holders.load(std::memory_order_relaxed) > 0;
}

bool capturing() {
  return t_module_depth > 0 && g_holders.load(std::memory_order_relaxed) > 0;
}

void capture_throw(void* throw_site) {
  // Nothing thrown while capturing (bad_alloc) may come back here.
  const int depth = std::exchange(t_module_depth, 0);
  try {
    auto st = std::make_unique<backward::StackTrace>();
    st->load_here(kMaxFrames + 8);
    // Start at the throw site: the unwinder records return addresses minus
    // one, so compare within a byte.
    const auto site = reinterpret_cast<std::uintptr_t>(throw_site);
    for (std::size_t i = 0; i < st->size(); ++i) {
      const auto addr = reinterpret_cast<std::uintptr_t>((*st)[i].addr);
      if (addr == site || addr + 1 == site) {
        st->skip_n_firsts(i);
        break;
      }
    }
    t_last_throw = std::move(st);
  } catch (...) {
    t_last_throw.reset();
  }
  t_module_depth = depth;
}

// On every call into a module: a trivial thread_local and, only while
// traces are on, the capture slot (a thread_local with a destructor costs a
// guarded access, which production mode does not pay).
ModuleCode::ModuleCode() {
  if (t_module_depth++ == 0 && g_holders.load(std::memory_order_relaxed) > 0) t_last_throw.reset();
}

ModuleCode::~ModuleCode() {
  --t_module_depth;
}

std::string take_throw_trace() {
  if (g_holders.load(std::memory_order_relaxed) == 0) return "";
  std::unique_ptr<backward::StackTrace> st = std::move(t_last_throw);
  if (!st || st->size() == 0) return "";
  std::vector<std::uintptr_t> pcs;
  for (std::size_t i = 0; i < st->size() && i < kMaxFrames; ++i)
    pcs.push_back(reinterpret_cast<std::uintptr_t>((*st)[i].addr));
  return contain::frames_text("thrown at:", pcs.data(), pcs.size(), kMaxFrames);
}

void install_crash_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    std::vector<int> free;
    for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT}) {
      struct sigaction current {};
      if (sigaction(sig, nullptr, &current) == 0 && current.sa_handler == SIG_DFL &&
          (current.sa_flags & SA_SIGINFO) == 0)
        free.push_back(sig);
    }
    if (free.empty()) return;
    // Lives for the rest of the process: a handler must outlive every crash.
    static backward::SignalHandling* handling = new backward::SignalHandling(free);
    (void)handling;
  });
}

}  // namespace hotmod::diag
