// Written by hand: mprotect over the pages of a loaded image's code is all
// it takes, but which pages hold only code depends on the linker's layout.
// GNU ld, lld and mold put the code in a segment of its own; gold puts the
// ELF header, the dynamic symbols, the code, the read-only data and the
// unwind tables in one executable segment. So only the pages that the
// file's section headers show hold nothing but code (and relocations, which
// nobody reads once the image is open) are guarded, and, should a layout
// surprise, never one that holds what others read: the program headers
// (dl_iterate_phdr's callers: sanitizers, older unwinders), the unwind
// tables (the crash handler walks from the faulting call) and the dynamic
// section (the loader reads it at every dlopen).
#include "loader/code_guard.hpp"

#include <dlfcn.h>
#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace hotmod::loader {
namespace {

struct Found {
  const link_map* map = nullptr;
  std::vector<ElfW(Phdr)> headers;
  std::uintptr_t headers_at = 0;  // where the program headers are mapped
  bool found = false;
};

int find(dl_phdr_info* info, std::size_t, void* arg) {
  auto* f = static_cast<Found*>(arg);
  if (info->dlpi_addr != f->map->l_addr || info->dlpi_name == nullptr ||
      std::strcmp(info->dlpi_name, f->map->l_name) != 0)
    return 0;
  f->headers.assign(info->dlpi_phdr, info->dlpi_phdr + info->dlpi_phnum);
  f->headers_at = reinterpret_cast<std::uintptr_t>(info->dlpi_phdr);
  f->found = true;
  return 1;
}

// What the crash handler's table keeps per image (contain/image_table.cpp).
constexpr std::size_t kMostRanges = 4;

struct Span {
  std::uintptr_t start;
  std::uintptr_t end;
  // The unwind tables' header: .eh_frame follows it, of a length the
  // program headers do not give, so nothing from its page on is guarded.
  bool keeps_what_follows = false;
};

}  // namespace

bool plan_code_guard(void* handle, const ElfSummary& elf, GuardedCode* out) {
  *out = GuardedCode{};
  if (elf.has_tls || elf.nodelete || !elf.unique_symbols.empty()) return false;
  link_map* map = nullptr;
  if (handle == nullptr || dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0 || map == nullptr)
    return false;
  Found f;
  f.map = map;
  dl_iterate_phdr(&find, &f);
  if (!f.found) return false;

  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const std::uintptr_t base = map->l_addr;
  std::vector<Span> read_by_others = {
      {f.headers_at, f.headers_at + f.headers.size() * sizeof(ElfW(Phdr))}};
  for (const ElfW(Phdr) & h : f.headers) {
    if (h.p_type == PT_LOAD) {
      out->image_bytes += ((base + h.p_vaddr + h.p_memsz + page - 1) & ~(page - 1)) -
                          ((base + h.p_vaddr) & ~(page - 1));
      if (h.p_offset == 0) read_by_others.push_back({base + h.p_vaddr, base + h.p_vaddr + 64});
    } else if (h.p_type == PT_GNU_EH_FRAME) {
      read_by_others.push_back({base + h.p_vaddr, base + h.p_vaddr + h.p_memsz, true});
    } else if (h.p_type == PT_DYNAMIC || h.p_type == PT_NOTE || h.p_type == PT_INTERP) {
      read_by_others.push_back({base + h.p_vaddr, base + h.p_vaddr + h.p_memsz});
    }
  }
  for (const ElfW(Phdr) & h : f.headers) {
    if (h.p_type != PT_LOAD || (h.p_flags & PF_X) == 0) continue;
    // Only the pages of code (ElfSummary): gold's executable segment also
    // holds the dynamic symbols, the read-only data and the unwind tables.
    // The segment is mapped in whole pages.
    const std::uintptr_t first = std::max((base + h.p_vaddr) & ~(page - 1), base + elf.code_start);
    const std::uintptr_t last =
        std::min((base + h.p_vaddr + h.p_memsz + page - 1) & ~(page - 1), base + elf.code_end);
    if (first >= last) continue;
    std::uintptr_t start = (first + page - 1) & ~(page - 1);
    std::uintptr_t end = last & ~(page - 1);
    for (const Span& s : read_by_others) {
      if (s.end <= first || s.start >= last) continue;
      const bool near_start =
          !s.keeps_what_follows &&
          (s.start <= first || (s.end < last && s.start - first < last - s.end));
      if (near_start)
        start = std::max(start, (s.end + page - 1) & ~(page - 1));
      else
        end = std::min(end, s.start & ~(page - 1));
    }
    if (start >= end) continue;
    int protection = 0;
    if ((h.p_flags & PF_R) != 0) protection |= PROT_READ;
    if ((h.p_flags & PF_W) != 0) protection |= PROT_WRITE;
    protection |= PROT_EXEC;
    out->ranges.push_back({start, end - start, protection});
  }
  return !out->ranges.empty() && out->ranges.size() <= kMostRanges;
}

bool guard_pages(const GuardedCode& code) {
  for (std::size_t i = 0; i < code.ranges.size(); ++i) {
    const GuardedCode::Range& r = code.ranges[i];
    if (mprotect(reinterpret_cast<void*>(r.start), r.size, PROT_NONE) == 0) continue;
    for (std::size_t j = 0; j < i; ++j)  // as it was
      mprotect(reinterpret_cast<void*>(code.ranges[j].start), code.ranges[j].size,
               code.ranges[j].protection);
    return false;
  }
  return true;
}

}  // namespace hotmod::loader
