// What the signal handler knows about a crash, written without allocating
// (a signal handler may not) into the crashed thread's own record, and read
// on that thread once the signal has returned.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace hotmod::contain {

inline constexpr std::size_t kNameBytes = 96;
inline constexpr std::size_t kVersionBytes = 48;
inline constexpr std::size_t kMaxFrames = 24;

struct CrashFacts {
  int signal = 0;
  int code = 0;                  // si_code
  std::uintptr_t address = 0;    // si_addr: the faulting address
  std::uintptr_t pc = 0;         // the faulting instruction
  std::uintptr_t sp = 0;         // the stack pointer when it faulted
  std::uintptr_t resume_sp = 0;  // where the host's frame resumes
  bool stack_overflow = false;
  // Stopped past a Deadline rather than crashed: what ran, the setting that
  // raises the limit, and the limit.
  bool timed_out = false;
  const char* what = nullptr;
  const char* key = nullptr;
  std::int64_t limit_ns = 0;
  char module[kNameBytes] = {};
  char version[kVersionBytes] = {};
  std::uint64_t generation = 0;
  std::uint64_t content_hash = 0;  // of the module file the crashed image came from
  const void* owner = nullptr;     // who loaded it
  // A stale call: the crashed image's version was retired this long ago
  // (-1: it was not), and this one is current (empty: none).
  std::int64_t retired_ago_ns = -1;
  const void* image = nullptr;  // the crashed image's link map (a module's)
  char current_version[kVersionBytes] = {};
  std::uint64_t current_generation = 0;
  std::size_t frames = 0;
  std::size_t module_frame = 0;         // the innermost of the module's own frames
  std::uintptr_t pcs[kMaxFrames] = {};  // innermost first, as addresses inside each call
};

// Per thread; trivially constructed, so a signal handler may touch it.
class Deadline;

struct ThreadCrashState {
  Deadline* deadline = nullptr;   // the innermost Deadline on this thread
  int entries = 0;                // Entry scopes open on this thread (a catcher)
  bool handling = false;          // inside the handler (a second fault passes on)
  const char* loading = nullptr;  // the copy dlopen is opening (LoadScope)
  char loading_module[kNameBytes] = {};
  std::uint64_t loading_generation = 0;
  std::uint64_t loading_content_hash = 0;
  const void* loading_owner = nullptr;
  bool load_crashed = false;
  CrashFacts last;
};

ThreadCrashState& this_thread_state();

// Copies a NUL-terminated prefix of `text` that fits.
void copy_name(char* to, std::size_t size, const char* from, std::size_t length);

// What a contained crash says: the message, one line ("module 'greeter'
// version 2.0.0 (load 3) crashed in greet(...): SIGSEGV, address 0x0 not
// mapped (a null pointer?)"), and the backtrace of the abandoned frames.
struct CrashText {
  std::string message;
  std::string backtrace;
};
CrashText describe(const CrashFacts& facts);

// Tells the crash watchers (contain.hpp) about a contained crash.
void tell_watchers(const CrashFacts& facts, const std::string& message);

// Pins taken in the frames a contained crash abandoned (below `resume_sp`)
// stop counting: a thread left pinned would hold up every later reload.
void drop_abandoned_pins(std::uintptr_t resume_sp);

}  // namespace hotmod::contain
