// The crash handler (see contain.hpp for what is contained and what is not).
//
// Written by hand: no library we use rewrites a signal's context to resume
// a thread in another frame. Everything here runs inside a signal handler,
// so it allocates nothing and takes no lock: the stack walk is libgcc's
// unwinder, which finds unwind tables through _dl_find_object (lock-free,
// glibc 2.35); which image a frame belongs to comes from the same call and
// the module table (image_table.cpp); text for a report that cannot wait is
// put together in a fixed buffer and written with write(2).
#include <dlfcn.h>
#include <link.h>
#include <malloc.h>
#include <signal.h>
#include <sys/mman.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
#include <unwind.h>

#include <cxxabi.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <mutex>
#include <vector>

#include "contain/contain.hpp"
#include "contain/crash_facts.hpp"
#include "contain/exception_holds.hpp"
#include "contain/image_table.hpp"
#include "pin/pin_domain.hpp"

#if defined(__x86_64__) && defined(__linux__) && defined(__GLIBC__) && \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 35))
#define HOTMOD_CONTAIN 1
#endif

namespace hotmod::contain {

[[noreturn]] void crash_landing();  // crash_report.cpp

namespace {

constinit thread_local ThreadCrashState t_state{};

}  // namespace

ThreadCrashState& this_thread_state() {
  return t_state;
}

#ifdef HOTMOD_CONTAIN
namespace {

constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
constexpr std::size_t kAltStackBytes = 128 * 1024;

std::atomic<int> g_holders{0};
struct sigaction g_previous[NSIG];  // what was installed before ours, per signal

// Where a frame's code lives.
enum class Where {
  module,           // a module's image (or the one being opened)
  runtime_library,  // the C and C++ runtimes, libgcc, a sanitizer's runtime
  dynamic_loader,   // ld.so: a constructor or destructor was called from here
  host,             // the program and its own libraries, hotmod included
};

bool starts_with(const char* text, const char* prefix) {
  return std::strncmp(text, prefix, std::strlen(prefix)) == 0;
}

const char* base_name(const char* path) {
  const char* slash = std::strrchr(path, '/');
  return slash != nullptr ? slash + 1 : path;
}

// The crashed image's facts, as the table has them.
void take_facts(const ImageFacts& image, const void* map, CrashFacts* facts) {
  std::memcpy(facts->module, image.module, sizeof facts->module);
  std::memcpy(facts->version, image.version, sizeof facts->version);
  facts->generation = image.generation;
  facts->content_hash = image.content_hash;
  facts->owner = image.owner;
  facts->retired_ago_ns = image.retired_ns;  // a time until name_stale_call() makes it an age
  facts->image = map;
}

Where where(std::uintptr_t pc, const ThreadCrashState& t, CrashFacts* facts, bool record) {
  dl_find_object found;
  if (_dl_find_object(reinterpret_cast<void*>(pc), &found) != 0) return Where::runtime_library;
  const auto* map = found.dlfo_link_map;
  ImageFacts image;
  if (find_image(map, &image)) {
    if (record) take_facts(image, map, facts);
    return Where::module;
  }
  const char* name = map->l_name != nullptr ? map->l_name : "";
  if (t.loading != nullptr && std::strcmp(name, t.loading) == 0) {
    if (record) {
      std::memcpy(facts->module, t.loading_module, sizeof facts->module);
      facts->version[0] = '\0';
      facts->generation = t.loading_generation;
      facts->content_hash = t.loading_content_hash;
      facts->owner = t.loading_owner;
      facts->retired_ago_ns = 0;
    }
    return Where::module;
  }
  if (*name == '\0') return Where::host;  // the program itself
  const char* base = base_name(name);
  if (starts_with(base, "ld-linux") || starts_with(base, "ld64.so")) return Where::dynamic_loader;
  static constexpr const char* kRuntimes[] = {
      "libc.so",    "libstdc++.so", "libm.so",      "libgcc_s.so",  "libpthread.so",
      "libdl.so",   "libasan.so",   "libtsan.so",   "libubsan.so",  "liblsan.so",
      "linux-vdso", "libc++.so",    "libc++abi.so", "libunwind.so",
  };
  for (const char* runtime : kRuntimes)
    if (starts_with(base, runtime)) return Where::runtime_library;
  return Where::host;
}

// The C library's allocator entry points. A crash inside one (glibc's heap
// corruption checks abort with the arena's lock held) is not contained:
// the landing allocates, and would wait on that lock for ever.
std::uintptr_t g_allocator[8] = {};

void remember_allocator() {
  const void* entries[] = {reinterpret_cast<const void*>(&::malloc),
                           reinterpret_cast<const void*>(&::free),
                           reinterpret_cast<const void*>(&::calloc),
                           reinterpret_cast<const void*>(&::realloc),
                           reinterpret_cast<const void*>(&::posix_memalign),
                           reinterpret_cast<const void*>(&::aligned_alloc),
                           reinterpret_cast<const void*>(&::memalign),
                           reinterpret_cast<const void*>(&::valloc)};
  for (std::size_t i = 0; i < std::size(entries); ++i)
    g_allocator[i] = reinterpret_cast<std::uintptr_t>(entries[i]);
}

bool is_allocator(std::uintptr_t function) {
  for (std::uintptr_t a : g_allocator)
    if (a == function) return true;
  return false;
}

// The walk from the faulting frame outwards.
struct Walk {
  std::uintptr_t fault_pc = 0;
  ThreadCrashState* thread = nullptr;
  CrashFacts* facts = nullptr;  // filled as the walk goes
  std::size_t frames = 0;
  std::size_t skipped = 0;  // the handler's own frames and the signal's trampoline
  bool started = false;
  bool in_module = false;     // the innermost frame past the runtime libraries is a module's
  bool host_crash = false;    // ... or the host's
  bool broken = false;        // the stack could not be walked sensibly
  bool in_allocator = false;  // the C library's malloc family was running
  bool cut = false;           // found the frame that entered the module
  bool to_loader = false;     // ... and it is the dynamic loader's
  // libgcc gives each frame's context the canonical frame address of the
  // frame it called: the stack pointer the frame had at that call.
  std::uintptr_t last_cfa = 0;
  std::uintptr_t resume_ip = 0;  // where the entering frame goes on ...
  std::uintptr_t resume_sp = 0;  // ... with this stack pointer
  std::uintptr_t saved[6] = {};  // rbx, rbp, r12–r15 as the entering frame had them
};

constexpr int kSavedRegisters[6] = {3, 6, 12, 13, 14, 15};  // DWARF numbers on x86-64

_Unwind_Reason_Code step(_Unwind_Context* context, void* arg) {
  Walk& w = *static_cast<Walk*>(arg);
  int before_instruction = 0;
  const std::uintptr_t ip = _Unwind_GetIPInfo(context, &before_instruction);
  if (!w.started) {
    if (ip != w.fault_pc) return ++w.skipped > 32 ? _URC_NORMAL_STOP : _URC_NO_REASON;
    w.started = true;
  } else if (before_instruction != 0 || ++w.frames > (1u << 22)) {
    // Another signal frame: the code outside it was interrupted, not a
    // caller, and cannot resume as if a call returned. Or a walk that does
    // not end.
    w.broken = true;
    return _URC_NORMAL_STOP;
  }
  const std::uintptr_t cfa = _Unwind_GetCFA(context);
  if (w.last_cfa != 0 && cfa <= w.last_cfa) {  // unwind data that does not go outwards
    w.broken = true;
    return _URC_NORMAL_STOP;
  }
  const std::uintptr_t at = before_instruction != 0 ? ip : ip - 1;  // inside the call
  CrashFacts& facts = *w.facts;
  Where here = where(at, *w.thread, &facts, !w.in_module);
  // hotmod's own __cxa_throw (diag/throw_hook.cpp) is the C++ runtime's as
  // far as a module is concerned: std::terminate from a throw through
  // noexcept passes through it.
  // Nor is the destructor it throws module exceptions with.
  if (here == Where::host && (_Unwind_GetRegionStart(context) ==
                                  reinterpret_cast<std::uintptr_t>(&__cxxabiv1::__cxa_throw) ||
                              _Unwind_GetRegionStart(context) ==
                                  reinterpret_cast<std::uintptr_t>(held_exception_destructor())))
    here = Where::runtime_library;
  // The abandoned frames, for the backtrace; the host's own frames beyond
  // them are what the host's debugger shows.
  if (here != Where::host && here != Where::dynamic_loader && facts.frames < kMaxFrames)
    facts.pcs[facts.frames++] = at;
  if (!w.in_module) {
    if (here == Where::host) {
      w.host_crash = true;
      return _URC_NORMAL_STOP;
    }
    if (here == Where::runtime_library && is_allocator(_Unwind_GetRegionStart(context)))
      w.in_allocator = true;
    w.in_module = here == Where::module;
    if (w.in_module && facts.frames > 0) facts.module_frame = facts.frames - 1;
    w.last_cfa = cfa;
    return _URC_NO_REASON;
  }
  if (here == Where::module || here == Where::runtime_library) {
    w.last_cfa = cfa;
    return _URC_NO_REASON;
  }
  w.cut = true;
  w.to_loader = here == Where::dynamic_loader;
  w.resume_ip = ip;
  w.resume_sp = cfa;
  for (int i = 0; i < 6; ++i) w.saved[i] = _Unwind_GetGR(context, kSavedRegisters[i]);
  return _URC_NORMAL_STOP;
}

// Fixed-buffer text for reports written from the handler.
struct Line {
  char text[1024];
  std::size_t size = 0;
  Line& operator<<(const char* s) {
    while (*s != '\0' && size < sizeof text) text[size++] = *s++;
    return *this;
  }
  Line& operator<<(std::uint64_t n) {
    char digits[24];
    int i = 0;
    do digits[i++] = static_cast<char>('0' + n % 10);
    while ((n /= 10) != 0);
    while (i > 0 && size < sizeof text) text[size++] = digits[--i];
    return *this;
  }
  void write() const {
    std::size_t done = 0;
    while (done < size) {
      const ssize_t n = ::write(STDERR_FILENO, text + done, size - done);
      if (n <= 0) return;
      done += static_cast<std::size_t>(n);
    }
  }
};

const char* signal_name(int sig) {
  switch (sig) {
    case SIGSEGV:
      return "SIGSEGV";
    case SIGBUS:
      return "SIGBUS";
    case SIGFPE:
      return "SIGFPE";
    case SIGILL:
      return "SIGILL";
    case SIGABRT:
      return "SIGABRT";
  }
  return "a fatal signal";
}

// A fault in a retired version's guarded code: how long ago it was retired,
// and which version of the module is current.
void name_stale_call(CrashFacts* facts) {
  const std::int64_t retired_at = facts->retired_ago_ns;
  facts->retired_ago_ns = -1;
  if (retired_at <= 0) return;
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  const std::int64_t now_ns = std::int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
  facts->retired_ago_ns = now_ns > retired_at ? now_ns - retired_at : 0;
  ImageFacts current;
  if (find_current(facts->module, facts->owner, &current)) {
    std::memcpy(facts->current_version, current.version, sizeof facts->current_version);
    facts->current_generation = current.generation;
  }
}

// A crash in module code that no host frame called: the process dies, but
// says whose code it was first.
void report_uncontained(const CrashFacts& facts) {
  Line line;
  if (facts.retired_ago_ns >= 0) {
    const auto tenths = static_cast<std::uint64_t>(facts.retired_ago_ns / 100'000'000);
    line << "hotmod: call into retired version " << facts.version << " (load " << facts.generation
         << ") of module '" << facts.module << "', retired " << tenths / 10 << "." << tenths % 10
         << " s ago";
    if (facts.current_version[0] != '\0')
      line << "; version " << facts.current_version << " (load " << facts.current_generation
           << ") is current";
    line << ": a pointer kept from it that the host called, or a thread it started, still runs "
            "its code; with no call into a module under way to fail, its code is made runnable "
            "again and this thread goes on in it\n";
    line.write();
    return;
  }
  line << "hotmod: module '" << facts.module << "'";
  if (facts.version[0] != '\0') line << " version " << facts.version;
  line << " (load " << facts.generation << ") crashed with " << signal_name(facts.signal)
       << " on a thread with no call into it from the host (a thread the module started?); "
          "this crash cannot be contained\n";
  line.write();
}

// Hands the signal to what was installed before, as the kernel would have.
void pass_on(int sig, siginfo_t* info, void* context) {
  const struct sigaction& before = g_previous[sig];
  const bool has_function = (before.sa_flags & SA_SIGINFO) != 0
                                ? before.sa_sigaction != nullptr
                                : before.sa_handler != SIG_DFL && before.sa_handler != SIG_IGN;
  if ((!has_function && (info->si_code > 0 || before.sa_handler != SIG_IGN)) ||
      (before.sa_flags & SA_RESETHAND) != 0) {
    struct sigaction fallback {};
    fallback.sa_handler = SIG_DFL;
    sigemptyset(&fallback.sa_mask);
    sigaction(sig, &fallback, nullptr);
  }
  if (!has_function) {
    // A fault happens again when the handler returns; a sent signal (abort,
    // kill) must be sent again, unless it was ignored before.
    if (info->si_code <= 0 && before.sa_handler != SIG_IGN) raise(sig);
    return;
  }
  sigset_t mask = static_cast<ucontext_t*>(context)->uc_sigmask;
  for (int s = 1; s < NSIG; ++s)
    if (sigismember(&before.sa_mask, s) == 1) sigaddset(&mask, s);
  if ((before.sa_flags & SA_NODEFER) == 0) sigaddset(&mask, sig);
  pthread_sigmask(SIG_SETMASK, &mask, nullptr);
  if ((before.sa_flags & SA_SIGINFO) != 0)
    before.sa_sigaction(sig, info, context);
  else
    before.sa_handler(sig);
}

bool contain(int sig, siginfo_t* info, ucontext_t* uc, ThreadCrashState& t,
             const Deadline* deadline) {
  greg_t* regs = uc->uc_mcontext.gregs;
  CrashFacts facts;  // to t.last only when contained: a report may still be waiting there
  facts.signal = sig;
  facts.code = info->si_code;
  facts.address = reinterpret_cast<std::uintptr_t>(info->si_addr);
  facts.pc = static_cast<std::uintptr_t>(regs[REG_RIP]);
  facts.sp = static_cast<std::uintptr_t>(regs[REG_RSP]);
  facts.stack_overflow =
      sig == SIGSEGV && facts.address + 65536 >= facts.sp && facts.address < facts.sp + 4096;
  // A call through a bad pointer jumped nowhere: walk from the caller, whose
  // return address the call just pushed.
  const greg_t original_rip = regs[REG_RIP];
  const greg_t original_rsp = regs[REG_RSP];
  dl_find_object found;
  if (_dl_find_object(reinterpret_cast<void*>(facts.pc), &found) != 0 && facts.sp % 8 == 0) {
    regs[REG_RIP] = static_cast<greg_t>(*reinterpret_cast<const std::uintptr_t*>(facts.sp));
    regs[REG_RSP] = static_cast<greg_t>(facts.sp + 8);
  }
  Walk w;
  w.fault_pc = static_cast<std::uintptr_t>(regs[REG_RIP]);
  w.thread = &t;
  w.facts = &facts;
  _Unwind_Backtrace(step, &w);
  name_stale_call(&facts);
  // Something must catch it: the runtime's entry into the module, or the
  // guard of a Ref<I> call (a pin); a module's destructors run by the
  // reaper have neither.
  const PinRecord* pins = pin::this_thread_record();
  const bool caught = t.entries > 0 || (pins != nullptr && pins->depth > 0);
  const bool containable = w.in_module && w.cut && !w.broken && !w.in_allocator && caught &&
                           (!w.to_loader || t.loading != nullptr);
  if (!containable) {
    regs[REG_RIP] = original_rip;
    regs[REG_RSP] = original_rsp;
    if (w.in_module && !w.host_crash && deadline == nullptr) {
      // Retired code that still runs here with nothing to fail: as before
      // its code was guarded, it goes on (the faulting instruction again).
      // Only a fault fetching the instruction itself: a crash of the retired
      // code's own goes the usual way.
      const bool goes_on = facts.retired_ago_ns >= 0 && facts.image != nullptr && sig == SIGSEGV &&
                           facts.address == facts.pc;
      if (goes_on) mark_revived(facts.image);
      report_uncontained(facts);
      if (goes_on && unguard_map(facts.image)) return true;
    }
    return false;
  }
  t.last = facts;
  if (deadline != nullptr) {
    t.last.stack_overflow = false;
    t.last.timed_out = true;
    t.last.what = deadline->what();
    t.last.key = deadline->key();
    t.last.limit_ns = deadline->limit().count();
  }
  t.last.resume_sp = w.resume_sp;
  regs[REG_EFL] &= ~greg_t{0x400};  // the direction flag, if a string instruction faulted
  regs[REG_RBX] = static_cast<greg_t>(w.saved[0]);
  regs[REG_RBP] = static_cast<greg_t>(w.saved[1]);
  regs[REG_R12] = static_cast<greg_t>(w.saved[2]);
  regs[REG_R13] = static_cast<greg_t>(w.saved[3]);
  regs[REG_R14] = static_cast<greg_t>(w.saved[4]);
  regs[REG_R15] = static_cast<greg_t>(w.saved[5]);
  if (w.to_loader) {
    // A static constructor (or destructor): return from it to the loader,
    // which goes on; LoadScope::crash() reports it.
    t.load_crashed = true;
    regs[REG_RAX] = 0;
    regs[REG_RSP] = static_cast<greg_t>(w.resume_sp);
    regs[REG_RIP] = static_cast<greg_t>(w.resume_ip);
  } else {
    // As if the entering frame's call had called crash_landing(), which
    // throws: the return address the call pushed is where it was.
    auto* return_address = reinterpret_cast<std::uintptr_t*>(w.resume_sp - 8);
    *return_address = w.resume_ip;
    regs[REG_RSP] = static_cast<greg_t>(w.resume_sp - 8);
    regs[REG_RIP] = reinterpret_cast<greg_t>(&crash_landing);
  }
  // Whatever the crash left blocked (abort() may block signals) must not
  // stay blocked in the thread that goes on.
  for (int s : kSignals) sigdelset(&uc->uc_sigmask, s);
  sigdelset(&uc->uc_sigmask, deadline_signal());
  return true;
}

// A Deadline's signal: stops the thread where it is when that is module
// code; otherwise the watchdog tries again.
void on_deadline(int sig, siginfo_t* info, void* context) {
  ThreadCrashState& t = t_state;
  const Deadline* fired = nullptr;
  for (const Deadline* d = t.deadline; d != nullptr && fired == nullptr; d = d->outer())
    if (d->fired.load(std::memory_order_acquire)) fired = d;
  if (fired == nullptr) {
    // One of ours that arrived after its hook returned is dropped; anyone
    // else's is handed on.
    const bool ours = info->si_code == SI_TKILL && info->si_pid == getpid();
    if (!ours) pass_on(sig, info, context);
    return;
  }
  if (t.handling) return;
  t.handling = true;
  (void)contain(sig, info, static_cast<ucontext_t*>(context), t, fired);
  t.handling = false;
}

// A fetch from guarded retired code with containment off: given back its
// permissions, reported, and the instruction runs again.
bool runs_again(siginfo_t* info, void* context) {
  const auto pc =
      static_cast<std::uintptr_t>(static_cast<ucontext_t*>(context)->uc_mcontext.gregs[REG_RIP]);
  dl_find_object found;
  ImageFacts image;
  if (reinterpret_cast<std::uintptr_t>(info->si_addr) != pc ||
      _dl_find_object(reinterpret_cast<void*>(pc), &found) != 0 ||
      !find_image(found.dlfo_link_map, &image) || image.retired_ns == 0)
    return false;
  mark_revived(found.dlfo_link_map);
  CrashFacts facts;
  take_facts(image, found.dlfo_link_map, &facts);
  name_stale_call(&facts);
  report_uncontained(facts);
  return unguard_map(found.dlfo_link_map);
}

void on_signal(int sig, siginfo_t* info, void* context) {
  if (sig == deadline_signal()) {
    on_deadline(sig, info, context);
    return;
  }
  ThreadCrashState& t = t_state;
  // A fault, or raised by this process (abort()); not a kill from outside.
  const bool from_here =
      info->si_code > 0 || (info->si_code == SI_TKILL && info->si_pid == getpid());
  if (g_holders.load(std::memory_order_relaxed) > 0 && !t.handling && from_here) {
    t.handling = true;
    const bool contained = contain(sig, info, static_cast<ucontext_t*>(context), t, nullptr);
    t.handling = false;
    if (contained) return;
  } else if (sig == SIGSEGV && info->si_code == SEGV_ACCERR && runs_again(info, context)) {
    return;  // containment was turned off while retired code stayed guarded
  }
  pass_on(sig, info, context);
}

void install() {
  std::vector<int> signals(std::begin(kSignals), std::end(kSignals));
  signals.push_back(deadline_signal());
  for (int sig : signals) {
    struct sigaction ours {};
    ours.sa_sigaction = &on_signal;
    // SA_RESTART: a deadline's signal that finds the thread in host code
    // must not fail the system call it was waiting in.
    ours.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER | SA_RESTART;
    sigemptyset(&ours.sa_mask);
    sigaction(sig, &ours, &g_previous[sig]);
  }
  pin::set_first_pin_hook(&prepare_thread);
  remember_allocator();
}

// A thread's alternate signal stack, unmapped when the thread exits.
struct AltStack {
  void* base = nullptr;
  ~AltStack() {
    if (base == nullptr) return;
    stack_t off{};
    off.ss_flags = SS_DISABLE;
    sigaltstack(&off, nullptr);
    munmap(base, kAltStackBytes);
  }
};

}  // namespace

bool supported() {
  return true;
}

void hold() {
  static std::once_flag once;
  std::call_once(once, install);
  g_holders.fetch_add(1, std::memory_order_relaxed);
  prepare_thread();
}

void release() {
  g_holders.fetch_sub(1, std::memory_order_relaxed);
}

bool active() {
  return g_holders.load(std::memory_order_relaxed) > 0;
}

void prepare_thread() {
  static constinit thread_local bool prepared = false;
  if (prepared) return;
  prepared = true;
  stack_t current{};
  if (sigaltstack(nullptr, &current) == 0 && (current.ss_flags & SS_DISABLE) == 0)
    return;  // the host's own, or a sanitizer's
  void* base = mmap(nullptr, kAltStackBytes, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (base == MAP_FAILED) return;  // a stack overflow on this thread is then not contained
  stack_t alt{};
  alt.ss_sp = base;
  alt.ss_size = kAltStackBytes;
  if (sigaltstack(&alt, nullptr) != 0) {
    munmap(base, kAltStackBytes);
    return;
  }
  thread_local AltStack holder;
  holder.base = base;
}

#else  // not x86-64 Linux with glibc 2.35: crashes take the default path

bool supported() {
  return false;
}
void hold() {}
void release() {}
bool active() {
  return false;
}
void prepare_thread() {}

#endif

}  // namespace hotmod::contain
