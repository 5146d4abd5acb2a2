// loader/elf_inspect on crafted buffers: too short, not ELF, another
// machine, not a shared object, headers pointing past the end, and random
// headers that must never make it read outside the buffer.
#include "loader/elf_inspect.hpp"

#include <elf.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "elf_support.hpp"
#include "fixture_paths.hpp"
#include "temp_dir.hpp"

namespace hotmod::loader {
namespace {

using namespace elf_test;
using hotmod_unit::read_bytes;

TEST(ElfInspect, EmptyBufferIsNotASharedObject) {
  EXPECT_TRUE(refused(inspect({}), Failure::not_shared_object, "no ELF header, only 0 bytes"));
}

TEST(ElfInspect, TenBytesOfAnElfHeaderAreTruncated) {
  Bytes ten = {0x7f, 'E', 'L', 'F', ELFCLASS64, ELFDATA2LSB, EV_CURRENT, 0, 0, 0};
  EXPECT_TRUE(refused(inspect(ten), Failure::truncated_image, "is only 10 bytes"));
}

TEST(ElfInspect, ThreeBytesAreNotASharedObject) {
  Bytes three = {0x7f, 'E', 'L'};
  EXPECT_TRUE(refused(inspect(three), Failure::not_shared_object, "only 3 bytes"));
}

TEST(ElfInspect, TextFileIsNotASharedObject) {
  const Outcome o = inspect(read_bytes(fixtures::not_so));
  EXPECT_TRUE(refused(o, Failure::not_shared_object, "is not a shared object (no ELF header"));
  EXPECT_TRUE(refused(o, Failure::not_shared_object, "hotmod_add_module()"));
}

TEST(ElfInspect, ThirtyTwoBitHeaderIsForAnotherMachine) {
  Elf32_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS32;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_type = ET_DYN;
  eh.e_machine = EM_386;
  Bytes b(256);  // a real 32-bit image is longer than a 64-bit header
  std::memcpy(b.data(), &eh, sizeof eh);
  const Outcome o = inspect(b);
  EXPECT_TRUE(refused(o, Failure::not_shared_object, "was built for another machine"));
  EXPECT_TRUE(refused(o, Failure::not_shared_object, "ELF class 1, machine 3"));
  EXPECT_TRUE(refused(o, Failure::not_shared_object, "rebuild it for this one"));
}

TEST(ElfInspect, BigEndianOrOtherMachineIsForAnotherMachine) {
  Bytes big = header(ET_DYN);
  big[EI_DATA] = ELFDATA2MSB;
  EXPECT_TRUE(refused(inspect(big), Failure::not_shared_object, "built for another machine"));

  const Elf64_Half other = kHostMachine == EM_X86_64 ? EM_AARCH64 : EM_X86_64;
  EXPECT_TRUE(refused(inspect(header(ET_DYN, other)), Failure::not_shared_object,
                      "machine " + std::to_string(other)));
}

TEST(ElfInspect, ExecutableAndObjectFileAreNotSharedObjects) {
  EXPECT_TRUE(refused(inspect(header(ET_EXEC)), Failure::not_shared_object,
                      "is an executable, not a shared object"));
  EXPECT_TRUE(refused(inspect(header(ET_REL)), Failure::not_shared_object,
                      "is an object file (.o), not a shared object"));
  EXPECT_TRUE(refused(inspect(header(ET_REL)), Failure::not_shared_object,
                      "build modules as MODULE or SHARED libraries"));
  EXPECT_TRUE(refused(inspect(header(ET_CORE)), Failure::not_shared_object, "a core dump"));
}

TEST(ElfInspect, ProgramHeadersPastTheEndAreTruncated) {
  Bytes b = header(ET_DYN);
  Elf64_Ehdr eh = ehdr_of(b);
  eh.e_phoff = sizeof eh;
  eh.e_phnum = 3;
  set_ehdr(b, eh);
  EXPECT_TRUE(refused(inspect(b), Failure::truncated_image,
                      "is truncated: it is 64 bytes but its program headers end at byte 232"));
}

TEST(ElfInspect, HeaderWithoutSectionsHasNoDescriptor) {
  const Outcome o = inspect(header(ET_DYN));
  EXPECT_TRUE(refused(o, Failure::no_descriptor, "has no section headers"));
  EXPECT_TRUE(refused(o, Failure::no_descriptor, "HOTMOD_MODULE(...)"));
}

TEST(ElfInspect, RandomHeadersNeverCrash) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 3000; ++round) {
    Bytes b(sizeof(Elf64_Ehdr) + rng() % 1024);
    for (auto& byte : b) byte = static_cast<unsigned char>(rng());
    Bytes h = header(ET_DYN);
    std::copy(h.begin(), h.begin() + 20, b.begin());  // ident, type, machine, version
    if (round % 2 == 0) {  // sometimes the entry sizes are right, so the walks run
      Elf64_Ehdr eh = ehdr_of(b);
      eh.e_phentsize = sizeof(Elf64_Phdr);
      eh.e_shentsize = sizeof(Elf64_Shdr);
      eh.e_phoff %= b.size();
      eh.e_shoff %= b.size();
      eh.e_phnum %= 8;
      eh.e_shnum %= 8;
      eh.e_shstrndx = eh.e_shnum == 0 ? 0 : eh.e_shstrndx % eh.e_shnum;
      set_ehdr(b, eh);
    }
    const Outcome o = inspect(b);
    if (!o.ok) {
      ASSERT_NE(o.fault.failure, Failure::none) << "round " << round;
    }
  }
}

}  // namespace
}  // namespace hotmod::loader
