// text/file_lock: one holder at a time, waiting given up on a limit or a
// cancel with the reason named, and the lock free again once its holder is
// gone.
#include "text/file_lock.hpp"

#include <atomic>
#include <chrono>
#include <future>
#include <latch>

#include <gtest/gtest.h>

#include "temp_dir.hpp"

namespace hotmod::text {
namespace {

using hotmod_unit::TempDir;
using namespace std::chrono_literals;

TEST(FileLock, ASecondHolderWaitsUntilTheFirstIsGone) {
  TempDir dir("hotmod-lock");
  const auto file = dir / "build.lock";
  std::string why;
  std::optional<FileLock> first = FileLock::acquire(file, nullptr, {}, &why);
  ASSERT_TRUE(first.has_value()) << why;

  std::latch trying(1);
  std::atomic<bool> got{false};
  auto second = std::async(std::launch::async, [&] {
    std::string w;
    trying.count_down();
    std::optional<FileLock> l = FileLock::acquire(file, nullptr, {}, &w);
    got = l.has_value();
    return w;
  });
  trying.wait();
  EXPECT_FALSE(got.load()) << "the second holder got the lock while the first held it";
  first.reset();
  const std::string w = second.get();
  EXPECT_TRUE(got.load()) << w;
}

TEST(FileLock, WaitingPastTheLimitIsGivenUpNamingTheFile) {
  TempDir dir("hotmod-lock");
  const auto file = dir / "build.lock";
  std::string why;
  std::optional<FileLock> held = FileLock::acquire(file, nullptr, {}, &why);
  ASSERT_TRUE(held.has_value()) << why;
  std::optional<FileLock> late = FileLock::acquire(file, nullptr, 30ms, &why);
  EXPECT_FALSE(late.has_value());
  EXPECT_NE(why.find("another process held the lock on '" + file.string() + "'"), std::string::npos)
      << why;
}

TEST(FileLock, ACancelledWaitSaysSo) {
  TempDir dir("hotmod-lock");
  const auto file = dir / "build.lock";
  std::string why;
  std::optional<FileLock> held = FileLock::acquire(file, nullptr, {}, &why);
  ASSERT_TRUE(held.has_value()) << why;
  const std::atomic<bool> cancel{true};
  EXPECT_FALSE(FileLock::acquire(file, &cancel, {}, &why).has_value());
  EXPECT_NE(why.find("cancelled"), std::string::npos) << why;
}

TEST(FileLock, AFolderThatCannotHoldTheLockFileIsNamed) {
  std::string why;
  EXPECT_FALSE(FileLock::acquire("/nonexistent-hotmod-dir/x.lock", nullptr, {}, &why));
  EXPECT_NE(why.find("cannot open the lock file '/nonexistent-hotmod-dir/x.lock'"),
            std::string::npos)
      << why;
}

}  // namespace
}  // namespace hotmod::text
