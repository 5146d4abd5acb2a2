// Where escaping exceptions get their stack: hotmod's host exports its own
// __cxa_throw (the hotmod target links with --export-dynamic-symbol), so
// modules' throws reach it first. It records the throw site when dev mode
// asks for traces and the thread is running module code, then hands the
// exception to the C++ runtime's __cxa_throw unchanged.
#include <dlfcn.h>

#include <cstdlib>
#include <typeinfo>

#include "diag/stack_trace.hpp"

namespace hotmod::diag {
bool throw_hook_linked() {
  return true;
}
}  // namespace hotmod::diag

namespace {
using CxaThrow = void (*)(void*, std::type_info*, void (*)(void*));

CxaThrow real_cxa_throw() {
  static const CxaThrow real = reinterpret_cast<CxaThrow>(dlsym(RTLD_NEXT, "__cxa_throw"));
  return real;
}
}  // namespace

extern "C" [[noreturn]] void __cxa_throw(void* object, std::type_info* type,
                                         void (*destroy)(void*)) {
  if (hotmod::diag::capturing()) hotmod::diag::capture_throw();
  CxaThrow real = real_cxa_throw();
  if (real == nullptr) std::abort();  // no C++ runtime loaded: cannot happen in a C++ program
  real(object, type, destroy);
  __builtin_unreachable();
}
