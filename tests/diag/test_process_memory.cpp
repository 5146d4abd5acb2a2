#include <dlfcn.h>
#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "diag/process_memory.hpp"
#include "probe.hpp"
#include "temp_dir_common.hpp"

namespace {

namespace fs = std::filesystem;
using diag_test::Probe;
using hotmod::diag::mapped_bytes;
using hotmod::diag::mapped_bytes_by_file;

constexpr std::uint64_t kMiB = 1024 * 1024;

std::uint64_t page_size() {
  return static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

// The ranges of /proc/self/maps whose pathname is `file` (possibly with the
// kernel's " (deleted)"), read with sscanf rather than the parser under test.
std::uint64_t sum_of_ranges(const fs::path& file) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  std::uint64_t total = 0;
  while (std::getline(maps, line)) {
    unsigned long start = 0, end = 0;
    int path_at = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx %*s %*s %*s %*s %n", &start, &end, &path_at) < 2 ||
        path_at == 0)
      continue;
    const std::string path = line.substr(static_cast<std::size_t>(path_at));
    if (path == file.string() || path == file.string() + " (deleted)") total += end - start;
  }
  return total;
}

// What the probe's ELF program headers say must be mapped from the file:
// each PT_LOAD segment's file-backed part, in whole pages.
std::uint64_t loaded_file_pages(void* handle) {
  link_map* map = nullptr;
  if (dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0) return 0;
  struct Query {
    const char* name;
    std::uint64_t bytes = 0;
  } query{map->l_name};
  dl_iterate_phdr(
      [](dl_phdr_info* info, std::size_t, void* data) {
        auto* q = static_cast<Query*>(data);
        if (std::strcmp(info->dlpi_name, q->name) != 0) return 0;
        const std::uint64_t page = page_size();
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr)& ph = info->dlpi_phdr[i];
          if (ph.p_type != PT_LOAD || ph.p_filesz == 0) continue;
          const std::uint64_t first = ph.p_vaddr / page * page;
          const std::uint64_t last = (ph.p_vaddr + ph.p_filesz + page - 1) / page * page;
          q->bytes += last - first;
        }
        return 1;
      },
      &query);
  return query.bytes;
}

TEST(ProcessMemory, RssFollowsMemoryTouchedAndReleased) {
  const std::uint64_t size = 64 * kMiB;
  const std::uint64_t before = hotmod::diag::process_rss_bytes();
  ASSERT_GT(before, 0u);
  void* block = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(block, MAP_FAILED);
  std::memset(block, 0x5a, size);
  const std::uint64_t touched = hotmod::diag::process_rss_bytes();
  munmap(block, size);
  const std::uint64_t after = hotmod::diag::process_rss_bytes();
  // Every touched page is resident (no swap in between), give or take what
  // the rest of the process did meanwhile.
  EXPECT_GE(touched, before + size - 4 * kMiB);
  EXPECT_LE(after, touched - size + 4 * kMiB);
}

TEST(ProcessMemory, AvailableMemoryIsPositiveAndAtMostPhysicalMemory) {
  const std::uint64_t available = hotmod::diag::available_memory_bytes();
  const auto physical =
      static_cast<std::uint64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<std::uint64_t>(page_size());
  EXPECT_GT(available, 0u);
  EXPECT_LE(available, physical);
}

TEST(ProcessMemory, MappedBytesOfALoadedLibraryAreItsRanges) {
  hotmod_test::TempDir dir("hotmod-diag");
  const fs::path copy = dir / "probe.so";
  fs::copy_file(diag_test::kProbePath, copy);
  ASSERT_EQ(mapped_bytes(copy), 0u);

  Probe probe(copy);
  const std::uint64_t mapped = mapped_bytes(copy);
  EXPECT_EQ(mapped, sum_of_ranges(copy));
  EXPECT_GE(mapped, loaded_file_pages(probe.handle()));
  EXPECT_GT(loaded_file_pages(probe.handle()), 0u);
  EXPECT_EQ(mapped_bytes_by_file()[copy.string()], mapped);

  probe.close();
  EXPECT_EQ(mapped_bytes(copy), 0u);
  EXPECT_EQ(mapped_bytes_by_file().count(copy.string()), 0u);
}

TEST(ProcessMemory, PathsWithSpacesAreMatchedWhole) {
  hotmod_test::TempDir dir("hotmod-diag");
  fs::create_directory(dir / "a folder");
  const fs::path spaced = dir / "a folder" / "probe  copy.so";
  fs::copy_file(diag_test::kProbePath, spaced);
  Probe probe(spaced);
  const std::uint64_t mapped = mapped_bytes(spaced);
  EXPECT_GT(mapped, 0u);
  EXPECT_EQ(mapped, sum_of_ranges(spaced));
  EXPECT_EQ(mapped_bytes_by_file()[spaced.string()], mapped);
  // Nothing under a prefix of the name.
  EXPECT_EQ(mapped_bytes(dir / "a folder" / "probe"), 0u);
}

TEST(ProcessMemory, ADeletedFileStillCountsAsItself) {
  hotmod_test::TempDir dir("hotmod-diag");
  const fs::path copy = dir / "probe.so";
  fs::copy_file(diag_test::kProbePath, copy);
  Probe probe(copy);
  const std::uint64_t mapped = mapped_bytes(copy);
  ASSERT_GT(mapped, 0u);
  fs::remove(copy);
  EXPECT_EQ(mapped_bytes(copy), mapped);
  EXPECT_EQ(mapped_bytes_by_file()[copy.string()], mapped);
}

TEST(ProcessMemory, RelativePathsAreResolved) {
  hotmod_test::TempDir dir("hotmod-diag");
  const fs::path copy = dir / "probe.so";
  fs::copy_file(diag_test::kProbePath, copy);
  fs::create_directory_symlink(dir.path(), dir / "link");
  Probe probe(copy);
  const fs::path cwd = fs::current_path();
  fs::current_path(dir.path());
  const std::uint64_t relative = mapped_bytes("probe.so");
  const std::uint64_t through_link = mapped_bytes("link/probe.so");
  fs::current_path(cwd);
  EXPECT_EQ(relative, mapped_bytes(copy));
  EXPECT_EQ(through_link, mapped_bytes(copy));
  EXPECT_GT(relative, 0u);
}

}  // namespace
