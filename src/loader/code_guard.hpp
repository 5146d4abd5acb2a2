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

// Which pages of the image `handle` to guard. False when none can be, or
// when the image may still run its code after its version is gone: a
// thread_local object's destructor runs when its thread exits (PT_TLS), and
// an image linked with -z nodelete or exporting unique symbols is never
// unloaded.
bool plan_code_guard(void* handle, const ElfSummary& elf, GuardedCode* out);

// Makes those pages PROT_NONE; false, with nothing changed, when one could
// not be. Their permissions come back through contain::unguard_image (the
// crash handler may give them back first).
bool guard_pages(const GuardedCode& code);

}  // namespace hotmod::loader
