// Where escaping exceptions get their stack: hotmod's host exports its own
// __cxa_throw (the hotmod target links with --export-dynamic-symbol), so
// modules' throws reach it first. It records the throw site when dev mode
// asks for traces and the thread is running module code, then hands the
// exception to the C++ runtime's __cxa_throw — with a destructor that keeps
// the module's image open while the exception lives, when it was thrown in
// module code (contain/exception_holds.hpp). std::make_exception_ptr's
// exceptions, never thrown, are held through __cxa_init_primary_exception
// (and let go in __cxa_free_exception when never constructed).
#include <dlfcn.h>

#include <cstdlib>
#include <exception>
#include <typeinfo>

#include "contain/exception_holds.hpp"
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

#if defined(__SANITIZE_ADDRESS__)
#define HOTMOD_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HOTMOD_ASAN 1
#endif
#endif
#ifdef HOTMOD_ASAN
// What ASan's own __cxa_throw interceptor does, which this one replaces when
// the sanitizer runtime is linked statically (clang).
extern "C" void __asan_handle_no_return();
#endif

// Default visibility: a host built with -fvisibility=hidden must still export
// it for modules to find.
extern "C" [[gnu::visibility("default")]] [[noreturn]] void __cxa_throw(void* object,
                                                                        std::type_info* type,
                                                                        void (*destroy)(void*)) {
  // The caller of __cxa_throw is the throw site, whatever the optimiser
  // inlined around it.
  if (hotmod::diag::capturing()) hotmod::diag::capture_throw(__builtin_return_address(0));
  // Thrown in module code: its image stays open while the exception lives.
  destroy = hotmod::contain::hold_image_for(object, destroy, __builtin_return_address(0));
#ifdef HOTMOD_ASAN
  __asan_handle_no_return();
#endif
  CxaThrow real = real_cxa_throw();
  if (real == nullptr) std::abort();  // no C++ runtime loaded: cannot happen in a C++ program
  real(object, type, destroy);
  __builtin_unreachable();
}

// std::make_exception_ptr makes an exception without throwing it, through
// this: held the same way when made in module code. libstdc++'s own
// __cxa_throw calls it too, from outside any module, and holds nothing more.
// Declared by <exception> (bits/cxxabi_init_exception.h), with default
// visibility whatever the host's.
__cxxabiv1::__cxa_refcounted_exception* __cxxabiv1::__cxa_init_primary_exception(
    void* object, std::type_info* type, void (*destroy)(void*)) noexcept {
  using Init = __cxa_refcounted_exception* (*)(void*, std::type_info*, void (*)(void*));
  static const Init real = reinterpret_cast<Init>(dlsym(RTLD_NEXT, "__cxa_init_primary_exception"));
  if (real == nullptr) std::abort();  // libstdc++ has had it since GCC 7
  return real(object, type,
              hotmod::contain::hold_image_for(object, destroy, __builtin_return_address(0)));
}

// Frees an exception; make_exception_ptr frees one without destroying it
// when its constructor throws: then nothing holds its image any more.
void __cxxabiv1::__cxa_free_exception(void* object) noexcept {
  using Free = void (*)(void*);
  static const Free real = reinterpret_cast<Free>(dlsym(RTLD_NEXT, "__cxa_free_exception"));
  if (real == nullptr) std::abort();
  hotmod::contain::forget_exception(object);
  real(object);
}
