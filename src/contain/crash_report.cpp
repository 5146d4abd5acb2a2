// After the signal: what a contained crash becomes on the thread that
// crashed — the exception thrown where the host entered the module, the
// message naming module, version and signal, and the backtrace.
#include <fmt/format.h>
#include <signal.h>

#include "contain/contain.hpp"
#include "contain/crash_facts.hpp"
#include "contain/frames_text.hpp"
#include "pin/pin_domain.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define HOTMOD_CONTAIN_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HOTMOD_CONTAIN_ASAN 1
#endif
#endif
#ifdef HOTMOD_CONTAIN_ASAN
extern "C" void __asan_unpoison_memory_region(void const volatile* addr, std::size_t size);
#endif

namespace hotmod::contain {
namespace {

std::string signal_text(const CrashFacts& f) {
  if (f.stack_overflow) return fmt::format("stack overflow (SIGSEGV at {:#x})", f.address);
  switch (f.signal) {
    case SIGSEGV: {
      if (f.code <= 0) return "SIGSEGV, raised (raise() or kill())";
      const char* why = f.code == SEGV_ACCERR ? "not accessible" : "not mapped";
      const char* hint = f.address < 4096 ? " (a null pointer?)" : "";
      return fmt::format("SIGSEGV, address {:#x} {}{}", f.address, why, hint);
    }
    case SIGBUS:
      return fmt::format("SIGBUS, address {:#x} (a mapped file cut short, or misaligned)",
                         f.address);
    case SIGFPE:
      return f.code == FPE_INTDIV || f.code == FPE_FLTDIV ? "SIGFPE, division by zero"
             : f.code == FPE_INTOVF                       ? "SIGFPE, integer overflow"
                                                          : "SIGFPE, arithmetic error";
    case SIGILL:
      return "SIGILL, illegal instruction (__builtin_trap, or code that is not code)";
    case SIGABRT:
      return "SIGABRT (abort(), a failed assert, or std::terminate)";
  }
  return fmt::format("signal {}", f.signal);
}

std::string who(const CrashFacts& f) {
  if (f.version[0] != '\0')
    return fmt::format("module '{}' version {} (load {})", f.module, f.version, f.generation);
  return fmt::format("module '{}' (load {}, being opened)", f.module, f.generation);
}

}  // namespace

CrashText describe(const CrashFacts& f) {
  std::vector<std::string> functions;
  std::string backtrace = frames_text("crashed at:", f.pcs, f.frames, kMaxFrames, &functions);
  // Named by the module's own frame: abort() or a null write inside memcpy
  // is the module's doing.
  const std::string function = f.module_frame < functions.size() ? functions[f.module_frame] : "";
  if (f.timed_out)
    return {fmt::format("{} of {} ran past its limit of {} s ({}) and was stopped{}", f.what,
                        who(f), f.limit_ns / 1'000'000'000, f.key,
                        function.empty() ? "" : fmt::format(" in {}", function)),
            std::move(backtrace)};
  if (f.retired_ago_ns >= 0)
    return {fmt::format("call into retired version {} (load {}) of module '{}'{}, retired {:.1f} s "
                        "ago; {}: a function pointer, vtable, std::function or lambda kept from it "
                        "was called after it was replaced",
                        f.version, f.generation, f.module,
                        function.empty() ? "" : fmt::format(" ({})", function),
                        static_cast<double>(f.retired_ago_ns) / 1e9,
                        f.current_version[0] != '\0'
                            ? fmt::format("version {} (load {}) is current", f.current_version,
                                          f.current_generation)
                            : std::string("no version of it is loaded now")),
            std::move(backtrace)};
  std::string where = function.empty() ? "" : fmt::format(" in {}", function);
  return {fmt::format("{} crashed{}: {}", who(f), where, signal_text(f)), std::move(backtrace)};
}

namespace {

[[noreturn, gnu::noinline]] void throw_crash() {
  const CrashFacts facts = this_thread_state().last;
  drop_abandoned_pins(facts.resume_sp);
  CrashText text = describe(facts);
  // A stale call is the caller's mistake, not the retired version's: it is
  // neither quarantined nor rolled back.
  const bool stale = facts.retired_ago_ns >= 0;
  if (!facts.timed_out && !stale) tell_watchers(facts, text.message);
  const Failure failure = facts.timed_out ? Failure::timed_out
                          : stale         ? Failure::stale_call
                                          : Failure::crashed;
  throw ModuleCrashed(
      Error{Stage::call, failure, std::move(text.message), std::move(text.backtrace)});
}

}  // namespace

// Where a contained crash resumes, in place of the call into the module
// (signal_handler.cpp). Not instrumented: under AddressSanitizer the stack
// below the host's frame still carries the abandoned frames' redzones,
// which must be cleared before any instrumented frame is laid over them.
#ifdef HOTMOD_CONTAIN_ASAN
[[noreturn, gnu::noinline, gnu::no_sanitize_address]] void crash_landing() {
  const CrashFacts& facts = this_thread_state().last;
  const std::uintptr_t low = facts.sp - 256;
  __asan_unpoison_memory_region(reinterpret_cast<void*>(low), facts.resume_sp - low);
  throw_crash();
}
#else
[[noreturn, gnu::noinline]] void crash_landing() {
  throw_crash();
}
#endif

void drop_abandoned_pins(std::uintptr_t resume_sp) {
  PinRecord* r = pin::this_thread_record();
  if (r == nullptr) return;
  std::uint32_t kept = 0;
  while (kept < r->depth && kept < PinRecord::kTracked &&
         reinterpret_cast<std::uintptr_t>(r->at[kept]) >= resume_sp)
    ++kept;
  if (kept == PinRecord::kTracked) return;  // nested deeper than tracked: left as counted
  r->depth = kept;
  if (kept == 0) r->epoch.store(0, std::memory_order_release);
}

Entry::Entry() noexcept {
  ++this_thread_state().entries;
  prepare_thread();
}

Entry::~Entry() {
  --this_thread_state().entries;
}

LoadScope::LoadScope(const char* path, std::string_view module, std::uint64_t generation,
                     std::uint64_t content_hash, const void* owner) noexcept {
  ThreadCrashState& t = this_thread_state();
  copy_name(t.loading_module, sizeof t.loading_module, module.data(), module.size());
  t.loading_generation = generation;
  t.loading_content_hash = content_hash;
  t.loading_owner = owner;
  t.load_crashed = false;
  t.loading = path;
}

LoadScope::~LoadScope() {
  ThreadCrashState& t = this_thread_state();
  t.loading = nullptr;
  t.load_crashed = false;
}

std::optional<Error> LoadScope::crash() const {
  const ThreadCrashState& t = this_thread_state();
  if (!t.load_crashed) return std::nullopt;
  drop_abandoned_pins(t.last.resume_sp);
#ifdef HOTMOD_CONTAIN_ASAN
  const std::uintptr_t low = t.last.sp - 256;  // as crash_landing() does
  __asan_unpoison_memory_region(reinterpret_cast<void*>(low), t.last.resume_sp - low);
#endif
  CrashText text = describe(t.last);
  if (!t.last.timed_out) tell_watchers(t.last, text.message);
  if (t.last.timed_out)
    return Error{Stage::load, Failure::timed_out,
                 fmt::format("{}; the version running before keeps serving", text.message),
                 std::move(text.backtrace)};
  return Error{Stage::load, Failure::crashed,
               fmt::format("{} while its static constructors ran; the version running before "
                           "keeps serving, fix the crash and save again",
                           text.message),
               std::move(text.backtrace)};
}

}  // namespace hotmod::contain
