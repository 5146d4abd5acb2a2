// elf_support.hpp — what the elf_inspect tests share: running inspect_elf on
// a buffer, checking how it refused, and crafting ELF headers.
#pragma once

#include <elf.h>

#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "loader/elf_inspect.hpp"
#include "printers.hpp"

namespace hotmod::loader::elf_test {

using Bytes = std::vector<unsigned char>;

#if defined(__x86_64__)
inline constexpr Elf64_Half kHostMachine = EM_X86_64;
#elif defined(__aarch64__)
inline constexpr Elf64_Half kHostMachine = EM_AARCH64;
#endif

inline constexpr char kWhat[] = "module 'counter' (/m/counter.so)";

struct Outcome {
  bool ok = false;
  ElfSummary summary;
  Error fault;
};

inline Outcome inspect(const Bytes& bytes) {
  Outcome o;
  o.ok = inspect_elf(bytes, kWhat, &o.summary, &o.fault);
  return o;
}

// A refusal with `failure` whose message names the module and says `says`.
inline ::testing::AssertionResult refused(const Outcome& o, Failure failure,
                                          std::string_view says) {
  if (o.ok) return ::testing::AssertionFailure() << "accepted";
  if (o.fault.failure != failure)
    return ::testing::AssertionFailure()
           << "failure " << to_string(o.fault.failure) << ", expected " << to_string(failure)
           << ": " << o.fault.message;
  if (o.fault.message.find(kWhat) == std::string::npos)
    return ::testing::AssertionFailure() << "message does not name the module: " << o.fault.message;
  if (o.fault.message.find(says) == std::string::npos)
    return ::testing::AssertionFailure()
           << "message does not say '" << says << "': " << o.fault.message;
  return ::testing::AssertionSuccess();
}

inline Bytes header(Elf64_Half type, Elf64_Half machine = kHostMachine) {
  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = type;
  eh.e_machine = machine;
  eh.e_version = EV_CURRENT;
  eh.e_ehsize = sizeof eh;
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_shentsize = sizeof(Elf64_Shdr);
  Bytes b(sizeof eh);
  std::memcpy(b.data(), &eh, sizeof eh);
  return b;
}

inline Elf64_Ehdr ehdr_of(const Bytes& b) {
  Elf64_Ehdr eh;
  std::memcpy(&eh, b.data(), sizeof eh);
  return eh;
}

inline void set_ehdr(Bytes& b, const Elf64_Ehdr& eh) {
  std::memcpy(b.data(), &eh, sizeof eh);
}

// Where the parts inspect_elf checks end in a well-formed image, found here

}  // namespace hotmod::loader::elf_test
