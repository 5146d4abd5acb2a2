// A rebuild writes the module file in place, the way each linker does it —
// GNU ld and gold create the output and write it long after, lld and mold
// rename a finished temporary file onto it — and the running program sees
// exactly one reload and never a failure. Real linkers link real objects
// straight onto the watched file; the slow cases (a link that takes longer
// than the watcher's quiet fallback) are reproduced step by step, waiting on
// what the runtime says rather than on time.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "files.hpp"
#include "process/run.hpp"
#include "support.hpp"

namespace hotmod_test {
namespace {

class RelinkTest : public RuntimeTest {
 protected:
  hotmod::RuntimeOptions dev_options() const {
    hotmod::RuntimeOptions o = options();
    o.dev_mode = true;  // the default watcher and debounce
    o.log_level = hotmod::LogLevel::debug;
    return o;
  }
  fs::path target() const { return modules() / "counter.so"; }

  // Links `object` onto the module file with `linker` (-fuse-ld), as the
  // build of a module target does.
  void link(const char* object, const std::string& linker) {
    hotmod::process::Command command(
        {fixtures::link_driver, "-shared", "-fuse-ld=" + linker, "-o", target().string(), object});
    const hotmod::process::Outcome linked = hotmod::process::run(command);
    ASSERT_TRUE(linked.ok()) << linker << " (installed by scripts/setup): " << linked.describe()
                             << "\n"
                             << linked.output;
  }

  // Every reload the runtime reported, in order.
  void record(hotmod::Runtime& rt) {
    rt.on_reload([this](const hotmod::ReloadStats& s) {
      std::lock_guard lock(mu_);
      if (!s.first_load) reloads_.push_back(s);
    });
  }
  std::vector<hotmod::ReloadStats> reloads() const {
    std::lock_guard lock(mu_);
    return reloads_;
  }
  // Waits for `n` reloads, then for the watcher to pass everything it saw.
  void expect_reloads(hotmod::Runtime& rt, std::size_t n, const std::string& version) {
    ASSERT_TRUE(wait_until([&] { return reloads().size() >= n; })) << logs_->dump();
    ASSERT_TRUE(rt.sync()) << logs_->dump();
    const std::vector<hotmod::ReloadStats> seen = reloads();
    ASSERT_EQ(seen.size(), n) << "one rebuild, one reload\n" << logs_->dump();
    EXPECT_TRUE(seen.back().success) << seen.back().error;
    EXPECT_EQ(seen.back().version, version);
  }

  // A slow linker's rebuild, as both kinds do it: the old file removed, the
  // new one created and `start`ed, the runtime seen waiting for its writer
  // while the running version serves, the rest written by `finish` and the
  // file closed — then exactly one reload, to the new version, no failure.
  using Step = std::function<void(int fd, const std::string& image)>;
  void relink_slowly(const Step& start, const Step& finish) {
    hotmod::Runtime rt(dev_options());
    EventLog events(rt.bus());
    record(rt);
    hotmod::Module m = load(rt);
    const std::string image = read_file(fixtures::counter_v2);
    ASSERT_EQ(::unlink(target().c_str()), 0);
    const int fd = ::open(target().c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
    ASSERT_GE(fd, 0);
    start(fd, image);
    ASSERT_TRUE(wait_until([&] {
      return logs_->contains(hotmod::LogLevel::debug, {"counter", "still being written"});
    })) << logs_->dump();
    EXPECT_EQ(call_int(m, "version"), 1) << "the running version keeps serving";
    finish(fd, image);
    ASSERT_EQ(::close(fd), 0);
    expect_reloads(rt, 1, "2.0.0");
    EXPECT_EQ(call_int(m, "version"), 2);
    EXPECT_EQ(events.count("module.reload_failed"), 0u) << logs_->dump();
  }

  mutable std::mutex mu_;
  std::vector<hotmod::ReloadStats> reloads_;
};

class EveryLinker : public RelinkTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(EveryLinker, EachRebuildIsExactlyOneReloadAndNoFailure) {
  link(fixtures::counter_v1_object, GetParam());
  hotmod::Runtime rt(dev_options());
  EventLog events(rt.bus());
  record(rt);
  hotmod::Module m = load(rt);
  ASSERT_TRUE(rt.watching().has_value()) << logs_->dump();

  for (std::size_t round = 1; round <= 4; ++round) {
    const bool even = round % 2 == 0;
    link(even ? fixtures::counter_v1_object : fixtures::counter_v2_object, GetParam());
    expect_reloads(rt, round, even ? "1.0.0" : "2.0.0");
    EXPECT_EQ(call_int(m, "version"), even ? 1 : 2);
  }
  EXPECT_EQ(events.count("module.reload_failed"), 0u) << logs_->dump();
  EXPECT_FALSE(logs_->contains(hotmod::LogLevel::warn, {"counter"})) << logs_->dump();
}

INSTANTIATE_TEST_SUITE_P(Linkers, EveryLinker, ::testing::Values("bfd", "gold", "lld", "mold"),
                         [](const auto& linker) { return linker.param; });

// GNU ld: removes the old output, creates the new one and writes nothing
// until the link ends, which on a large module is seconds later. The empty
// file is reported (the writer was quiet), found unwritten, and waited for.
TEST_F(RelinkTest, AnOutputCreatedLongBeforeItIsWrittenIsWaitedFor) {
  link(fixtures::counter_v1_object, "bfd");
  relink_slowly([](int, const std::string&) {},
                [](int fd, const std::string& image) {
                  ASSERT_EQ(::write(fd, image.data(), image.size()),
                            static_cast<ssize_t>(image.size()));
                });
}

// gold: sizes the output first, then writes it through a shared mapping,
// which the kernel reports no writes for; only the close says it is done.
TEST_F(RelinkTest, AnOutputSizedFirstAndWrittenThroughAMappingIsWaitedFor) {
  link(fixtures::counter_v1_object, "gold");
  relink_slowly(
      [](int fd, const std::string& image) {
        ASSERT_EQ(::ftruncate(fd, static_cast<off_t>(image.size())), 0);
      },
      [](int fd, const std::string& image) {
        void* map = ::mmap(nullptr, image.size(), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        ASSERT_NE(map, MAP_FAILED);
        std::memcpy(map, image.data(), image.size());
        ASSERT_EQ(::munmap(map, image.size()), 0);
      });
}

// Once its writer closed it, a broken file is a failure like any other: the
// wait is for writers, not a way to hide a bad build.
TEST_F(RelinkTest, ABrokenFileItsWriterClosedIsReportedOnce) {
  link(fixtures::counter_v1_object, "bfd");
  hotmod::Runtime rt(dev_options());
  EventLog events(rt.bus());
  record(rt);
  hotmod::Module m = load(rt);

  install_in_place(fixtures::not_so);
  ASSERT_TRUE(wait_until([&] { return events.count("module.reload_failed") == 1; }))
      << logs_->dump();
  ASSERT_TRUE(rt.sync()) << logs_->dump();
  EXPECT_EQ(events.count("module.reload_failed"), 1u) << logs_->dump();
  const std::vector<hotmod::ReloadStats> seen = reloads();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].failure, hotmod::Failure::not_shared_object);
  EXPECT_EQ(call_int(m, "version"), 1);
}

}  // namespace
}  // namespace hotmod_test
