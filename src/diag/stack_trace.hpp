// Dev mode's enhanced errors: a stack trace when module code crashes (a
// signal handler from backward-cpp) or lets an exception escape (the throw
// site, captured when the exception is thrown inside a call into a module).
#pragma once

#include <string>

namespace hotmod::diag {

// Each runtime in dev mode holds traces on; they are off once none does.
// Off costs one relaxed load per throw inside module code.
void hold_traces();
void release_traces();
bool traces_on();

// Installs backward-cpp's handlers for SIGSEGV, SIGBUS, SIGILL, SIGFPE and
// SIGABRT, once per process, and only for signals nobody else handles (a
// sanitizer or the host's own handler wins).
void install_crash_handlers();

// Marks this thread as running module code (a call, a hook, a self-test):
// exceptions thrown meanwhile have their stack captured when traces are on.
class ModuleCode {
 public:
  ModuleCode();
  ~ModuleCode();
  ModuleCode(const ModuleCode&) = delete;
  ModuleCode& operator=(const ModuleCode&) = delete;
};

// The stack of the last exception thrown in module code on this thread,
// resolved to functions and source lines ("" when none was captured); the
// capture is cleared.
std::string take_throw_trace();

// Called by the __cxa_throw hook (throw_hook.cpp) with the throw site.
void capture_throw(void* throw_site);
bool capturing();

}  // namespace hotmod::diag
