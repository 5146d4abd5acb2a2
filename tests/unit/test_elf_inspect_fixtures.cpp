// loader/elf_inspect on real fixture modules: the full file passes and gives
// its record; cut short at many sizes, or corrupted at random, it is refused
// for the right reason and never read past its end (the ASan preset checks
// that: each cut is copied into a buffer of exactly its size). A system
// library without a record is told to add HOTMOD_MODULE.
#include "loader/elf_inspect.hpp"

#include <elf.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "elf_support.hpp"
#include "fixture_paths.hpp"
#include "loader/abi_check.hpp"
#include "temp_dir.hpp"

namespace hotmod::loader {
namespace {

using namespace elf_test;
using hotmod_unit::read_bytes;

// Where the parts inspect_elf checks end in a well-formed image, found here
// independently of the code under test.
struct Layout {
  std::uint64_t phdrs_end = 0;
  std::uint64_t segments_end = 0;  // of PT_LOAD and PT_DYNAMIC file contents
  std::uint64_t shoff = 0;
  std::uint64_t shdrs_end = 0;
};

Layout layout_of(const Bytes& b) {
  const Elf64_Ehdr eh = ehdr_of(b);
  Layout l;
  l.phdrs_end = eh.e_phoff + std::uint64_t{eh.e_phnum} * sizeof(Elf64_Phdr);
  for (unsigned i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph;
    std::memcpy(&ph, b.data() + eh.e_phoff + i * sizeof ph, sizeof ph);
    if (ph.p_type == PT_LOAD || ph.p_type == PT_DYNAMIC)
      l.segments_end = std::max(l.segments_end, ph.p_offset + ph.p_filesz);
  }
  l.shoff = eh.e_shoff;
  l.shdrs_end = eh.e_shoff + std::uint64_t{eh.e_shnum} * sizeof(Elf64_Shdr);
  return l;
}

// The section header of `name`; sh_type SHT_NULL when there is none.
Elf64_Shdr section_named(const Bytes& b, std::string_view name) {
  const Elf64_Ehdr eh = ehdr_of(b);
  auto at = [&](unsigned i) {
    Elf64_Shdr sh;
    std::memcpy(&sh, b.data() + eh.e_shoff + i * sizeof sh, sizeof sh);
    return sh;
  };
  const Elf64_Shdr names = at(eh.e_shstrndx);
  for (unsigned i = 0; i < eh.e_shnum; ++i) {
    const Elf64_Shdr sh = at(i);
    const char* n = reinterpret_cast<const char*>(b.data() + names.sh_offset + sh.sh_name);
    if (name == n) return sh;
  }
  return Elf64_Shdr{};
}

std::string cstr(const char* field, std::size_t size) {
  return std::string(field, strnlen(field, size));
}

TEST(ElfInspect, FixtureModulePassesWithItsRecord) {
  const Outcome o = inspect(read_bytes(fixtures::counter_v1));
  ASSERT_TRUE(o.ok) << o.fault.message;
  const abi::Record& r = o.summary.record;
  EXPECT_EQ(r.magic, abi::kRecordMagic);
  EXPECT_EQ(r.record_size, sizeof(abi::Record));
  EXPECT_EQ(cstr(r.name, sizeof r.name), "counter");
  EXPECT_EQ(cstr(r.version, sizeof r.version), "1.0.0");
  // Built by the same build with the same flags as this test.
  EXPECT_EQ(abi_differences(r.fingerprint, host_fingerprint()), "");
  // It includes hotmod/value.hpp above HOTMOD_MODULE: Values cross, and the
  // json version they were built with is recorded.
  EXPECT_NE(r.fingerprint.json_version, 0u);
  EXPECT_EQ(r.fingerprint.json_version, host_fingerprint().json_version);
  EXPECT_FALSE(o.summary.nodelete);
  EXPECT_FALSE(o.summary.has_tls) << "counter has no thread_local; sticky (below) has one";
}

// The capabilities HOTMOD_MODULE names are in the record, read before any
// of the module's code runs; a record of an older hotmod, shorter, has none.
TEST(ElfInspect, TheRecordNamesTheModulesCapabilities) {
  const Outcome caps = inspect(read_bytes(fixtures::counter_caps));
  ASSERT_TRUE(caps.ok) << caps.fault.message;
  EXPECT_EQ(record_capabilities(caps.summary.record),
            std::optional<std::vector<std::string>>(std::vector<std::string>{"net:listen"}));
  const Outcome none = inspect(read_bytes(fixtures::counter_v1));
  ASSERT_TRUE(none.ok) << none.fault.message;
  EXPECT_EQ(record_capabilities(none.summary.record),
            std::optional<std::vector<std::string>>(std::vector<std::string>{}));

  abi::Record older = caps.summary.record;
  older.record_size = offsetof(abi::Record, capabilities);
  EXPECT_EQ(record_capabilities(older), std::nullopt);
  // Not ended where it should be: a damaged list names nothing.
  Bytes b = read_bytes(fixtures::counter_caps);
  const Elf64_Shdr sh = section_named(b, ".hotmod_abi");
  ASSERT_NE(sh.sh_size, 0u);
  std::memset(b.data() + sh.sh_offset + offsetof(abi::Record, capabilities), 'x',
              sizeof(abi::Record::capabilities));
  const Outcome damaged = inspect(b);
  ASSERT_TRUE(damaged.ok) << damaged.fault.message;
  EXPECT_EQ(record_capabilities(damaged.summary.record),
            std::optional<std::vector<std::string>>(std::vector<std::string>{}))
      << "an unterminated list names nothing";
}

// A module that never names hotmod::Value records no json version, and any
// host's agrees with it.
TEST(ElfInspect, AModuleWithoutValuesRecordsNoJsonVersion) {
  const Outcome o = inspect(read_bytes(fixtures::sticky));
  ASSERT_TRUE(o.ok) << o.fault.message;
  EXPECT_EQ(o.summary.record.fingerprint.json_version, 0u);
  abi::Fingerprint other_json = host_fingerprint();
  other_json.json_version += 1;
  EXPECT_EQ(abi_differences(o.summary.record.fingerprint, other_json), "");
}

TEST(ElfInspect, NestedFixtureCarriesItsDottedName) {
  const Outcome o = inspect(read_bytes(fixtures::nested));
  ASSERT_TRUE(o.ok) << o.fault.message;
  EXPECT_EQ(cstr(o.summary.record.name, sizeof o.summary.record.name), "tools.math");
  EXPECT_EQ(cstr(o.summary.record.version, sizeof o.summary.record.version), "0.3.1");
}

TEST(ElfInspect, RecordOfOldAbiFixtureShowsItsStringAbi) {
  const Outcome o = inspect(read_bytes(fixtures::counter_abi_mismatch));
  ASSERT_TRUE(o.ok) << o.fault.message;  // refusing it is abi_check's job, after this
  EXPECT_EQ(o.summary.record.fingerprint.cxx11_abi, 0u);
  EXPECT_NE(abi_differences(o.summary.record.fingerprint, abi::current())
                .find("_GLIBCXX_USE_CXX11_ABI=0"),
            std::string::npos);
}

TEST(ElfInspect, StickyFixtureHasTls) {
  const Outcome o = inspect(read_bytes(fixtures::sticky));
  ASSERT_TRUE(o.ok) << o.fault.message;
  EXPECT_TRUE(o.summary.has_tls);
}

TEST(ElfInspect, FixturesExportNoUniqueSymbols) {
  for (const char* path : {fixtures::counter_v1, fixtures::counter_v2, fixtures::counter_v3_migrate,
                           fixtures::counter_caps, fixtures::sticky, fixtures::nested}) {
    SCOPED_TRACE(path);
    const Outcome o = inspect(read_bytes(path));
    ASSERT_TRUE(o.ok) << o.fault.message;
    EXPECT_TRUE(o.summary.unique_symbols.empty()) << o.summary.unique_symbols.front();
  }
}

// The expected verdict for the first `cut` bytes of a well-formed image.
::testing::AssertionResult cut_refused(const Outcome& o, const Layout& l, std::size_t cut) {
  if (cut < SELFMAG)  // not even the ELF magic
    return refused(o, Failure::not_shared_object, "only " + std::to_string(cut) + " bytes");
  if (cut < sizeof(Elf64_Ehdr))  // the magic, cut inside the header
    return refused(o, Failure::truncated_image, "is only " + std::to_string(cut) + " bytes");
  const std::string size = "is truncated: it is " + std::to_string(cut) + " bytes but its ";
  if (cut < l.phdrs_end) return refused(o, Failure::truncated_image, size + "program headers");
  if (cut < l.segments_end) return refused(o, Failure::truncated_image, size + "segments");
  return refused(o, Failure::truncated_image, size + "section headers");
}

TEST(ElfInspect, FixtureCutShortIsClassifiedAtEverySize) {
  const Bytes full = read_bytes(fixtures::counter_v1);
  const Layout l = layout_of(full);
  // What the expectations below rely on: a linker's usual layout.
  ASSERT_LE(l.segments_end, l.shoff);
  ASSERT_EQ(l.shdrs_end, full.size());

  std::vector<std::size_t> cuts;
  for (std::size_t i = 0; i < 16; ++i) cuts.push_back(full.size() * i / 16);
  for (std::size_t c : {std::size_t{1}, std::size_t{63}, std::size_t{64}, l.phdrs_end - 1,
                        l.phdrs_end, l.segments_end - 1, l.shoff - 1, l.shoff, full.size() - 1})
    cuts.push_back(c);
  for (std::size_t cut : cuts) {
    SCOPED_TRACE("cut at " + std::to_string(cut) + " of " + std::to_string(full.size()));
    const Bytes part(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(cut));
    EXPECT_TRUE(cut_refused(inspect(part), l, cut));
  }
}

TEST(ElfInspect, SectionHeadersPastTheEndAreTruncated) {
  Bytes b = read_bytes(fixtures::counter_v1);
  Elf64_Ehdr eh = ehdr_of(b);
  eh.e_shoff = b.size() - sizeof(Elf64_Shdr);
  set_ehdr(b, eh);
  EXPECT_TRUE(refused(inspect(b), Failure::truncated_image, "section headers end at byte"));
}

TEST(ElfInspect, CorruptSectionNameIndexIsRefused) {
  Bytes b = read_bytes(fixtures::counter_v1);
  Elf64_Ehdr eh = ehdr_of(b);
  eh.e_shstrndx = eh.e_shnum;
  set_ehdr(b, eh);
  EXPECT_TRUE(refused(inspect(b), Failure::not_shared_object, "corrupt section table"));
}

TEST(ElfInspect, RecordWithWrongMagicIsNoDescriptor) {
  Bytes b = read_bytes(fixtures::counter_v1);
  const Elf64_Shdr sh = section_named(b, abi::kSectionName);
  ASSERT_NE(sh.sh_type, SHT_NULL);
  b[sh.sh_offset] ^= 0xff;  // first byte of Record::magic
  EXPECT_TRUE(refused(inspect(b), Failure::no_descriptor, "add HOTMOD_MODULE("));
}

TEST(ElfInspect, SharedObjectWithoutRecordSaysToAddHotmodModule) {
  const Outcome o = inspect(read_bytes(fixtures::plain_so));
  EXPECT_TRUE(refused(o, Failure::no_descriptor, "is a shared object but not a hotmod module"));
  EXPECT_TRUE(refused(o, Failure::no_descriptor, "add HOTMOD_MODULE(name, version, description)"));
}

// Random damage to the parts inspect_elf reads: never a crash or an
// out-of-bounds read, and a refusal always says why.
TEST(ElfInspect, RandomlyCorruptedFixtureNeverCrashes) {
  Bytes b = read_bytes(fixtures::counter_v1);
  const Bytes full = b;
  const Layout l = layout_of(full);
  std::mt19937_64 rng(20240611);
  for (int round = 0; round < 1500; ++round) {
    std::vector<std::uint64_t> changed;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < flips; ++i) {
      const bool front = rng() % 2 == 0;
      const std::uint64_t from = front ? 0 : l.shoff;
      const std::uint64_t span = front ? l.phdrs_end : full.size() - l.shoff;
      changed.push_back(from + rng() % span);
      b[changed.back()] = static_cast<unsigned char>(rng());
    }
    // Sometimes cut short too, into a buffer of exactly that size.
    const Outcome o =
        rng() % 16 != 0
            ? inspect(b)
            : inspect(Bytes(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(rng() % b.size())));
    if (!o.ok) {
      ASSERT_NE(o.fault.failure, Failure::none) << "round " << round;
      ASSERT_NE(o.fault.message.find(kWhat), std::string::npos) << "round " << round;
    }
    for (std::uint64_t at : changed) b[at] = full[at];
  }
}

}  // namespace
}  // namespace hotmod::loader
