#include "loader/elf_inspect.hpp"

#include <elf.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

namespace hotmod::loader {
namespace {

#if defined(__x86_64__)
constexpr Elf64_Half kMachine = EM_X86_64;
#elif defined(__aarch64__)
constexpr Elf64_Half kMachine = EM_AARCH64;
#else
#error "hotmod: add this machine's ELF e_machine here"
#endif

// Reads a T at `offset`, or returns false when it does not fit in the file.
template <class T>
bool read_at(std::span<const unsigned char> bytes, std::uint64_t offset, T* out) {
  if (offset > bytes.size() || bytes.size() - offset < sizeof(T)) return false;
  std::memcpy(out, bytes.data() + offset, sizeof(T));
  return true;
}

// offset + size, saturated: hostile headers must not wrap the figures we print.
std::uint64_t end_of(std::uint64_t offset, std::uint64_t size) {
  return size > UINT64_MAX - offset ? UINT64_MAX : offset + size;
}

bool fits(std::span<const unsigned char> bytes, std::uint64_t offset, std::uint64_t size) {
  return offset <= bytes.size() && size <= bytes.size() - offset;
}

const char* type_name(Elf64_Half type) {
  switch (type) {
    case ET_EXEC:
      return "an executable";
    case ET_REL:
      return "an object file (.o)";
    case ET_CORE:
      return "a core dump";
    default:
      return "not a shared object";
  }
}

std::string truncated(const std::string& what, std::size_t size, std::uint64_t needed,
                      const char* part) {
  return fmt::format(
      "{} is truncated: it is {} bytes but its {} end at byte {}; the build is probably still "
      "writing it — rebuild or wait for it to finish",
      what, size, part, needed);
}

// Walks the program headers: segments must lie inside the file; notes TLS and
// the dynamic section's NODELETE flag.
bool check_segments(std::span<const unsigned char> bytes, const Elf64_Ehdr& eh,
                    const std::string& what, ElfSummary* s, Error* f) {
  if (eh.e_phentsize != sizeof(Elf64_Phdr)) {
    *f = Error{
        Stage::load, Failure::not_shared_object,
        fmt::format("{} has a corrupt ELF header (program header size {})", what, eh.e_phentsize)};
    return false;
  }
  if (!fits(bytes, eh.e_phoff, std::uint64_t{eh.e_phnum} * eh.e_phentsize)) {
    *f = Error{Stage::load, Failure::truncated_image,
               truncated(what, bytes.size(),
                         end_of(eh.e_phoff, std::uint64_t{eh.e_phnum} * eh.e_phentsize),
                         "program headers")};
    return false;
  }
  for (unsigned i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph;
    read_at(bytes, eh.e_phoff + std::uint64_t{i} * sizeof ph, &ph);
    if ((ph.p_type == PT_LOAD || ph.p_type == PT_DYNAMIC) &&
        !fits(bytes, ph.p_offset, ph.p_filesz)) {
      *f = Error{Stage::load, Failure::truncated_image,
                 truncated(what, bytes.size(), end_of(ph.p_offset, ph.p_filesz), "segments")};
      return false;
    }
    if (ph.p_type == PT_TLS) s->has_tls = true;
    if (ph.p_type == PT_DYNAMIC) {
      for (std::uint64_t off = ph.p_offset; off + sizeof(Elf64_Dyn) <= ph.p_offset + ph.p_filesz;
           off += sizeof(Elf64_Dyn)) {
        Elf64_Dyn d;
        read_at(bytes, off, &d);
        if (d.d_tag == DT_NULL) break;
        if (d.d_tag == DT_FLAGS_1 && (d.d_un.d_val & DF_1_NODELETE) != 0) s->nodelete = true;
      }
    }
  }
  return true;
}

// Lists exported STB_GNU_UNIQUE symbols: glibc never unloads an image that
// defines one.
void scan_unique_symbols(std::span<const unsigned char> bytes, const Elf64_Shdr& dynsym,
                         const Elf64_Shdr& strtab, ElfSummary* s) {
  if (dynsym.sh_entsize != sizeof(Elf64_Sym) || !fits(bytes, dynsym.sh_offset, dynsym.sh_size))
    return;
  for (std::uint64_t off = 0; off + sizeof(Elf64_Sym) <= dynsym.sh_size; off += sizeof(Elf64_Sym)) {
    Elf64_Sym sym;
    read_at(bytes, dynsym.sh_offset + off, &sym);
    if (ELF64_ST_BIND(sym.st_info) != STB_GNU_UNIQUE || sym.st_shndx == SHN_UNDEF) continue;
    std::uint64_t at = strtab.sh_offset + sym.st_name;
    if (at >= bytes.size() || s->unique_symbols.size() >= 5) continue;
    const char* name = reinterpret_cast<const char*>(bytes.data() + at);
    s->unique_symbols.emplace_back(name, strnlen(name, bytes.size() - at));
  }
}

// The pages that hold nothing but code, or code and what only relocation
// reads (the dynamic loader is done with an image's relocations once it is
// open): they can be made inaccessible once the image is retired
// (code_guard.cpp) without anyone else faulting. gold's layout shares the
// first page of code with relocations and the last with read-only data.
template <class Sections>
void code_pages(unsigned count, const Sections& section, ElfSummary* s) {
  constexpr std::uint64_t kPage = 4096;
  const auto allocated = [](const Elf64_Shdr& sh) {
    return (sh.sh_flags & SHF_ALLOC) != 0 && sh.sh_size > 0;
  };
  const auto code = [](const Elf64_Shdr& sh) { return (sh.sh_flags & SHF_EXECINSTR) != 0; };
  std::uint64_t start = 0;
  std::uint64_t end = 0;
  for (unsigned i = 0; i < count; ++i) {
    const Elf64_Shdr sh = section(i);
    if (!allocated(sh) || !code(sh)) continue;
    const bool first = start == end;
    start = first ? sh.sh_addr : std::min(start, sh.sh_addr);
    end = first ? sh.sh_addr + sh.sh_size : std::max(end, sh.sh_addr + sh.sh_size);
  }
  if (start == end) return;
  const std::uint64_t page_start = start & ~(kPage - 1);
  const std::uint64_t page_end = (end + kPage - 1) & ~(kPage - 1);
  bool whole_first = true;
  bool whole_last = true;
  for (unsigned i = 0; i < count; ++i) {
    const Elf64_Shdr sh = section(i);
    if (!allocated(sh) || code(sh)) continue;
    const std::uint64_t from = sh.sh_addr;
    const std::uint64_t to = sh.sh_addr + sh.sh_size;
    if (from < start && to > page_start && sh.sh_type != SHT_RELA && sh.sh_type != SHT_REL)
      whole_first = false;
    if (to > end && from < page_end) whole_last = false;
    if (from < end && to > start) {  // data among the code: guard none of it
      s->code_start = s->code_end = 0;
      return;
    }
  }
  s->code_start = whole_first ? page_start : (start + kPage - 1) & ~(kPage - 1);
  s->code_end = whole_last ? page_end : end & ~(kPage - 1);
  if (s->code_start >= s->code_end) s->code_start = s->code_end = 0;
}

bool check_sections(std::span<const unsigned char> bytes, const Elf64_Ehdr& eh,
                    const std::string& what, ElfSummary* s, Error* f) {
  const std::uint64_t table = std::uint64_t{eh.e_shnum} * eh.e_shentsize;
  if (eh.e_shoff == 0 || eh.e_shnum == 0) {
    *f = Error{Stage::validate, Failure::no_descriptor,
               fmt::format("{} has no section headers, so it has no hotmod descriptor; build it "
                           "with HOTMOD_MODULE(...) and do not strip it with sstrip",
                           what)};
    return false;
  }
  if (eh.e_shentsize != sizeof(Elf64_Shdr)) {
    *f = Error{
        Stage::load, Failure::not_shared_object,
        fmt::format("{} has a corrupt ELF header (section header size {})", what, eh.e_shentsize)};
    return false;
  }
  if (!fits(bytes, eh.e_shoff, table)) {
    *f = Error{Stage::load, Failure::truncated_image,
               truncated(what, bytes.size(), end_of(eh.e_shoff, table), "section headers")};
    return false;
  }
  auto section = [&](unsigned i) {
    Elf64_Shdr sh{};
    read_at(bytes, eh.e_shoff + std::uint64_t{i} * sizeof sh, &sh);
    return sh;
  };
  if (eh.e_shstrndx >= eh.e_shnum) {
    *f = Error{Stage::load, Failure::not_shared_object,
               fmt::format("{} has a corrupt section table", what)};
    return false;
  }
  const Elf64_Shdr names = section(eh.e_shstrndx);
  bool found = false;
  int scanned_dynsym = 0;  // a well-formed image has one; never scan twice
  for (unsigned i = 0; i < eh.e_shnum; ++i) {
    const Elf64_Shdr sh = section(i);
    if (sh.sh_type == SHT_DYNSYM && sh.sh_link < eh.e_shnum && !scanned_dynsym++)
      scan_unique_symbols(bytes, sh, section(sh.sh_link), s);
    const std::uint64_t at = names.sh_offset + sh.sh_name;
    constexpr std::size_t n = sizeof(abi::kSectionName);
    if (!fits(bytes, at, n) || std::memcmp(bytes.data() + at, abi::kSectionName, n) != 0) continue;
    // A record of an older hotmod is shorter (no capabilities): only the
    // section's own bytes are read, the rest left zero.
    constexpr std::size_t kOldest = offsetof(abi::Record, capabilities);
    if (!fits(bytes, sh.sh_offset, sh.sh_size) || sh.sh_size < kOldest) {
      *f = Error{
          Stage::load, Failure::truncated_image,
          truncated(what, bytes.size(), end_of(sh.sh_offset, sh.sh_size), "hotmod ABI record")};
      return false;
    }
    s->record = abi::Record{};
    std::memcpy(&s->record, bytes.data() + sh.sh_offset,
                std::min<std::uint64_t>(sh.sh_size, sizeof(abi::Record)));
    found = s->record.magic == abi::kRecordMagic;
  }
  code_pages(eh.e_shnum, section, s);
  if (!found) {
    *f = Error{Stage::validate, Failure::no_descriptor,
               fmt::format("{} is a shared object but not a hotmod module: it has no {} record; "
                           "add HOTMOD_MODULE(name, version, description) to one of its sources",
                           what, abi::kSectionName)};
    return false;
  }
  return true;
}

}  // namespace

std::optional<std::vector<std::string>> record_capabilities(const abi::Record& record) {
  if (record.record_size < sizeof(abi::Record)) return std::nullopt;
  std::vector<std::string> out;
  const char* p = record.capabilities;
  const char* end = record.capabilities + sizeof record.capabilities;
  while (p < end && *p != '\0') {
    const char* stop = static_cast<const char*>(std::memchr(p, '\0', end - p));
    if (stop == nullptr) break;  // unterminated: a damaged record names no more
    out.emplace_back(p, stop);
    p = stop + 1;
  }
  return out;
}

bool inspect_elf(std::span<const unsigned char> bytes, const std::string& what, ElfSummary* s,
                 Error* f) {
  Elf64_Ehdr eh;
  const bool magic = bytes.size() >= SELFMAG && std::memcmp(bytes.data(), ELFMAG, SELFMAG) == 0;
  if (magic && !read_at(bytes, 0, &eh)) {
    *f = Error{Stage::load, Failure::truncated_image,
               fmt::format("{} starts like an ELF file but is only {} bytes, shorter than a "
                           "64-bit ELF header; it is cut short or built for another machine",
                           what, bytes.size())};
    return false;
  }
  if (!magic) {
    *f = Error{
        Stage::load, Failure::not_shared_object,
        fmt::format("{} is not a shared object (no ELF header{}); module paths should hold only "
                    "modules built with hotmod_add_module()",
                    what,
                    bytes.size() < sizeof eh ? fmt::format(", only {} bytes", bytes.size())
                                             : std::string())};
    return false;
  }
  if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
      eh.e_machine != kMachine) {
    *f = Error{Stage::load, Failure::not_shared_object,
               fmt::format("{} was built for another machine (ELF class {}, machine {}); "
                           "rebuild it for this one",
                           what, eh.e_ident[EI_CLASS], eh.e_machine)};
    return false;
  }
  if (eh.e_type != ET_DYN) {
    *f = Error{Stage::load, Failure::not_shared_object,
               fmt::format("{} is {}, not a shared object; build modules as MODULE or SHARED "
                           "libraries",
                           what, type_name(eh.e_type))};
    return false;
  }
  return check_segments(bytes, eh, what, s, f) && check_sections(bytes, eh, what, s, f);
}

}  // namespace hotmod::loader
