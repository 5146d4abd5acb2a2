// The module images the crash handler knows, looked up from a signal
// handler: a fixed table of slots, each published by an atomic store of its
// link map once its names are written, and read without locks.
#pragma once

#include <cstdint>
#include <string_view>

#include "contain/contain.hpp"
#include "contain/crash_facts.hpp"

namespace hotmod::contain {

struct ImageFacts {
  char module[kNameBytes];
  char version[kVersionBytes];
  std::uint64_t generation;
  std::uint64_t content_hash;  // of the module file it was loaded from
  const void* owner;           // who loaded it (add_image)
  std::int64_t retired_ns;     // CLOCK_MONOTONIC when its code was guarded; 0: in use
};

// `map` is the image's struct link_map (dlinfo RTLD_DI_LINKMAP). False when
// the table is full: crashes in that image are then not contained.
bool remember_image(const void* map, std::string_view module, std::string_view version,
                    std::uint64_t generation, std::uint64_t content_hash, const void* owner);
void forget_image(const void* map);
// Its version was replaced and its code guarded (loader/code_guard.hpp) at
// `when_ns` (CLOCK_MONOTONIC): a call into it is a stale call.
void mark_retired(const void* map, std::int64_t when_ns, const GuardRange* ranges,
                  std::size_t count);
// Gives the guarded ranges of `map` (all images: nullptr) their permissions
// back, once; false when an mprotect failed. Async-signal-safe.
bool unguard_map(const void* map);
// A thread runs the retired code of `map` with no call into a module to
// fail (a thread the module started, a pointer the host kept): the image is
// marked as running again, never to be closed. Marked before the thread
// reports it and unguards the code, so a closer that looks after
// unguarding sees it. Async-signal-safe.
void mark_revived(const void* map);
bool revived(const void* map);
// `map` is its module's current image; the owner's others of that module
// are not. False when it is not in the table.
bool set_current(const void* map);
// Copies the facts of the image whose link map is `map`; false when it is
// not a module image. Async-signal-safe.
bool find_image(const void* map, ImageFacts* out);
// The facts of the current image of `module` loaded by `owner`
// (set_current); false when there is none. Async-signal-safe.
bool find_current(const char* module, const void* owner, ImageFacts* out);

}  // namespace hotmod::contain
