// runtime/quarantine: what one process adds, another finds after a restart,
// and processes adding at once (two Quarantines on one folder, each reading
// and rewriting the file) lose none of each other's entries.
#include "runtime/quarantine.hpp"

#include <cstdint>
#include <latch>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "temp_dir.hpp"

namespace hotmod::runtime {
namespace {

using hotmod_unit::TempDir;

Quarantine::Entry entry(std::uint64_t hash) {
  return {hash, "greeter", "2.0.0", "", "SIGSEGV in greet()"};
}

TEST(Quarantine, AnEntryIsFoundByTheNextProcess) {
  TempDir dir("hotmod-quarantine");
  {
    Quarantine first(dir.path());
    ASSERT_EQ(first.add(entry(0x9f0c)), std::nullopt);
  }
  Quarantine next(dir.path());
  const std::optional<Quarantine::Entry> found = next.find(0x9f0c);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->module, "greeter");
  EXPECT_EQ(found->why, "SIGSEGV in greet()");
  EXPECT_FALSE(found->crashed_at.empty());
  EXPECT_FALSE(next.find(0x1234).has_value());
}

TEST(Quarantine, AnEntryThatCouldNotBeWrittenIsRememberedInThisProcess) {
  TempDir dir("hotmod-quarantine");
  hotmod_unit::write_file(dir / "not-a-folder", "");  // so the state folder cannot be made
  Quarantine q(dir / "not-a-folder" / "state");
  const std::optional<std::string> first = q.add(entry(0xa));
  ASSERT_TRUE(first.has_value()) << "the failed write is reported";
  EXPECT_NE(first->find("cannot write"), std::string::npos) << *first;
  EXPECT_TRUE(q.add(entry(0xb)).has_value());
  EXPECT_TRUE(q.find(0xa).has_value()) << "the second add's read of the file dropped the first";
  EXPECT_TRUE(q.find(0xb).has_value());
}

TEST(Quarantine, ProcessesAddingAtOnceKeepEachOthersEntries) {
  TempDir dir("hotmod-quarantine");
  constexpr std::uint64_t kEach = 25;
  // Two objects stand for two processes: each reads the file again before
  // adding and replaces it whole.
  Quarantine a(dir.path());
  Quarantine b(dir.path());
  std::latch go(2);
  auto adder = [&go](Quarantine& q, std::uint64_t first) {
    go.arrive_and_wait();
    for (std::uint64_t h = first; h < first + kEach; ++h) EXPECT_EQ(q.add(entry(h)), std::nullopt);
  };
  std::thread ta(adder, std::ref(a), 1000);
  std::thread tb(adder, std::ref(b), 2000);
  ta.join();
  tb.join();

  Quarantine after(dir.path());
  int missing = 0;
  for (std::uint64_t first : {1000u, 2000u})
    for (std::uint64_t h = first; h < first + kEach; ++h) missing += after.find(h) ? 0 : 1;
  EXPECT_EQ(missing, 0) << "entries written by one adder were lost by the other's write";
}

}  // namespace
}  // namespace hotmod::runtime
