// An exception thrown in module code can outlive the call that threw it:
// the host's catch block runs after the call's pin has ended, when a reload
// on another thread may already have retired the version, and a
// std::exception_ptr can keep it for as long as it likes. Its destructor,
// vtable and type_info live in the module's image. So an image is held
// while an exception thrown from it lives: the reaper neither guards its
// code nor closes it until the last such exception is destroyed.
//
// The __cxa_throw hook (diag/throw_hook.cpp) throws with a destructor of
// hotmod's, which runs the exception's own and then lets the image go.
// Without that hook (HOTMOD_THROW_TRACES off) nothing is held.
#pragma once

namespace hotmod::contain {

using ExceptionDestructor = void (*)(void*);

// Counted: on while any runtime exists (each may close images). Off,
// hold_image_for() holds nothing and costs one load.
void track_exceptions();
void untrack_exceptions();

// When tracking and `throw_site` is in a module image: records `object` as
// holding that image and returns the destructor to throw it with.
// Otherwise returns `destroy` unchanged.
ExceptionDestructor hold_image_for(void* object, ExceptionDestructor destroy,
                                   const void* throw_site) noexcept;

// `object` is freed without its destructor having run (its constructor
// threw): it holds nothing. Costs one load when nothing is held.
void forget_exception(void* object) noexcept;

// Whether an exception thrown from the image `handle` (dlopen's) lives.
bool held_by_exception(void* handle);

// The destructor hold_image_for() hands out: to the crash handler it is the
// C++ runtime's code, through which module code (the exception's own
// destructor) was called.
ExceptionDestructor held_exception_destructor();

}  // namespace hotmod::contain
