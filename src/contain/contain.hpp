// Crash containment: a fatal signal in module code fails the call that
// entered the module instead of killing the host (dev mode, on by default;
// RuntimeOptions::contain_crashes).
//
// How: hotmod's handler for SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT
// (abort(), std::terminate) walks the crashed thread's stack from the
// faulting instruction outwards. When the innermost frame that is not the C
// or C++ runtime lies in a module image, the walk goes on to the first frame
// that is neither module code nor a runtime library: the host's frame that
// called into the module. The handler rewrites the interrupted context so
// that, on return from the signal, that frame continues as if the call it
// made had thrown hotmod::ModuleCrashed — a Ref<I> call's guard unpins, the
// runtime's catch turns it into Failure::crashed. The module's own frames
// are abandoned, not unwound (a module that crashed is not trusted to run
// its destructors). A crash in a static constructor, where the frame
// outside the module is the dynamic loader's, returns to the loader
// instead: the rest of the module's constructors run, dlopen returns, and
// LoadScope reports the crash.
//
// Not contained, and handed to the handler that was there before (the
// host's, the sanitizer's, the stack-trace printer's) or the default action
// with its core dump: a crash whose innermost frame is host code; a crash on
// a thread with no host frame outside the module (a thread the module
// started — its report names module and version before the process dies).
//
// x86-64 Linux only (the context rewrite is per architecture); elsewhere
// supported() is false and every crash takes the default path.
#pragma once

#include <pthread.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hotmod/error.hpp"
#include "hotmod/pin.hpp"

namespace hotmod::contain {

bool supported();

// Counted like heap tracking: on while any runtime in dev mode with
// containment holds it. The first hold installs the handlers, chaining to
// whatever was installed before; release never uninstalls (a handler must
// outlive every thread that may still crash), it only turns containment off.
void hold();
void release();
bool active();

// Gives the calling thread an alternate signal stack, so a stack overflow
// can be handled. Cheap after the first call on a thread; every entry into
// module code calls it (threads that pin get it from the pin domain).
void prepare_thread();

// Module images, for the handler to tell module code from host code.
// `handle` is what dlopen returned; `owner` (the runtime that loaded it) is
// handed back in a CrashNotice. Names longer than the table's slots are cut
// short. Remove before dlclose.
void add_image(void* handle, std::string_view module, std::string_view version,
               std::uint64_t generation, std::uint64_t content_hash, const void* owner);
void remove_image(void* handle);
// Its version was replaced and its code is about to be made inaccessible
// (loader/code_guard.hpp): a fault in that code is a call through a pointer
// kept from the retired version, failed with Failure::stale_call naming it,
// how long ago it was retired and the version now current. Where no call
// into a module is under way to fail (a thread the module started, a
// pointer the host calls itself), the report is written and the image's
// code made runnable again, so the thread goes on as it did before code
// was guarded. At exit everything guarded is made runnable first (the
// image's static destructors run from it).
struct GuardRange {
  std::uintptr_t start = 0;
  std::size_t size = 0;
  int protection = 0;  // to give back
};
void retire_image(void* handle, const GuardRange* ranges, std::size_t count);
// The guarding failed after all: calls into it are not stale.
void unretire_image(void* handle);
// Gives every guarded image of the process its permissions back; false
// when one could not be given them (the image must then stay open).
bool unguard_image(void* handle);
// Whether its retired code ran again with no call into a module under way
// (a thread the module started, a pointer the host kept): that code may
// still be running, so the image must never be closed.
bool ran_after_retirement(void* handle);
// Its version is the module's current one (committed): named as current in
// a stale call's report.
void mark_current(void* handle);

// What a contained crash tells whoever watches for one (watch_crashes): the
// runtime rolls the crashed version back and quarantines its file.
struct CrashNotice {
  std::string module;
  std::string version;  // empty: it crashed while being opened
  std::uint64_t generation = 0;
  std::uint64_t content_hash = 0;  // of the module file the image came from
  std::string message;             // one line, as the failed call says
  const void* owner = nullptr;     // who loaded the image (add_image, LoadScope)
};
using CrashWatcher = void (*)(void* context, const CrashNotice& notice);
// From now on, `watcher(context, notice)` is called for every contained
// crash, in any module, on the crashed thread once the signal has returned
// and before the call fails. That thread may hold the module's own locks
// and be deep inside the host: a watcher only queues the notice. A hook
// stopped at its deadline did not crash, and is not told.
void watch_crashes(CrashWatcher watcher, void* context);
// Stops calling the watcher with `context`; returns once no call to it is
// in progress.
void unwatch_crashes(void* context);

// Around every entry into module code the runtime makes itself
// (diag::enter_module, LoadScope): says the thread has a catcher for a
// contained crash. A crash is contained only on a thread inside an Entry or
// a Pin (a Ref<I> call); elsewhere — a module's destructors run by the
// reaper, a thread the module started — nothing would catch it.
class Entry {
 public:
  Entry() noexcept;
  ~Entry();
  Entry(const Entry&) = delete;
  Entry& operator=(const Entry&) = delete;
};

// Around a hook (on_load, on_unload, self-test, migration, a dependency
// hook, static constructors): past `limit`, the thread is signalled
// (kDeadlineSignal) and, when it is in the module's code — looping, or
// waiting in a call the module made — it is stopped the way a crash is
// contained, and the entry fails with Failure::timed_out naming `what`,
// `key` (the setting that raises the limit) and where it was. In host code,
// the signal is ignored and sent again each second. A zero limit, or no
// crash containment: nothing is watched.
class Deadline {
 public:
  Deadline(std::chrono::nanoseconds limit, const char* what, const char* key);
  ~Deadline();
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

  // Read by the watchdog and the signal handler.
  const char* what() const { return what_; }
  const char* key() const { return key_; }
  std::chrono::nanoseconds limit() const { return limit_; }
  Deadline* outer() const { return outer_; }
  std::atomic<bool> fired{false};

 private:
  friend class Watchdog;
  std::chrono::nanoseconds limit_;
  const char* what_;
  const char* key_;
  std::chrono::steady_clock::time_point next_;  // guarded by the watchdog's mutex
  pthread_t thread_;
  bool watched_ = false;
  Deadline* outer_;  // the thread's enclosing deadline
};

// The signal a Deadline sends: SIGRTMIN + 3.
int deadline_signal();

// Around dlopen of a module's copy: a crash in its static constructors is
// contained by returning to the dynamic loader. After dlopen returned,
// crash() says whether one crashed, as an Error naming the module.
class LoadScope {
 public:
  LoadScope(const char* path, std::string_view module, std::uint64_t generation,
            std::uint64_t content_hash, const void* owner) noexcept;
  ~LoadScope();
  LoadScope(const LoadScope&) = delete;
  LoadScope& operator=(const LoadScope&) = delete;
  std::optional<Error> crash() const;

 private:
  Entry entry_;
};

}  // namespace hotmod::contain
