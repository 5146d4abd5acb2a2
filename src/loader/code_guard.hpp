// A retired image's code made inaccessible, and accessible again.
//
// Once the last call into a replaced version has returned, its image is not
// closed at once: its executable pages become PROT_NONE, so a pointer kept
// from that version (a function pointer, a vtable, a std::function) faults
// on the call instead of running stale code or whatever was mapped there
// since — and the crash handler names the version it belonged to. The
// pages the unwinder and the dynamic loader read (program headers, unwind
// tables, the dynamic section) stay readable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "loader/elf_inspect.hpp"

namespace hotmod::loader {

struct GuardedCode {
  struct Range {
    std::uintptr_t start = 0;
    std::size_t size = 0;
    int protection = 0;  // what it had: PROT_READ | PROT_EXEC, as its segment says
  };
  std::vector<Range> ranges;    // what guard_code() made PROT_NONE
  std::size_t image_bytes = 0;  // every loadable segment of the image, page-rounded
};

// False, with nothing changed, when no page could be guarded, or when the
// image may still run its code after its version is gone: a thread_local
// object's destructor runs when its thread exits (PT_TLS), and an image
// linked with -z nodelete or exporting unique symbols is never unloaded.
bool guard_code(void* handle, const ElfSummary& elf, GuardedCode* out);

// Gives the pages back their permissions (before the image is closed: its
// static destructors run from them).
void unguard_code(const GuardedCode& code);

}  // namespace hotmod::loader
