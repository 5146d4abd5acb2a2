// `hotmod build`: real source modules compiled by the real binary into a
// per-test cache; wrong names refused before anything compiles.
#include <regex>

#include <gtest/gtest.h>

#include "cli_test_support.hpp"
#include "fixture_paths.hpp"

namespace hotmod_test {
namespace {

namespace fs = std::filesystem;
using Build = CliTest;

bool empty_or_missing(const fs::path& dir) {
  std::error_code ec;
  return !fs::exists(dir, ec) || fs::is_empty(dir, ec);
}

TEST_F(Build, AnUnknownNameIsAUsageErrorWithTheNearestName) {
  write("mods/hello.cpp", kGoodModule);
  const Ran run = hotmod({"-M", "mods", "build", "helo"});
  EXPECT_EQ(run.exit_code, 2) << shown(run);
  EXPECT_TRUE(has(run.err, "hotmod: error: no module named 'helo' in " + mods().string() +
                               "; did you mean 'hello'?"))
      << run.err;
  EXPECT_TRUE(empty_or_missing(cache())) << "nothing is compiled when a name is wrong";
}

TEST_F(Build, AnUnknownNameFarFromAnyListsTheSourceModules) {
  write("mods/hello.cpp", kGoodModule);
  write("mods/world.cpp", kGoodModule);
  const Ran run = hotmod({"build", "-M", "mods", "zzzzzzzz"});
  EXPECT_EQ(run.exit_code, 2) << shown(run);
  EXPECT_TRUE(has(run.err, "; source modules there: hello, world")) << run.err;
}

TEST_F(Build, ALibraryModuleIsNotASourceModule) {
  fs::copy_file(fixtures::counter_v1, mods() / "counter.so");
  const Ran run = hotmod({"-M", "mods", "build", "counter"});
  EXPECT_EQ(run.exit_code, 2) << shown(run);
  EXPECT_TRUE(has(run.err, "'counter' is a library module (" + (mods() / "counter.so").string() +
                               "), not a source module"))
      << run.err;
}

TEST_F(Build, AGoodModuleBuildsIntoTheConfiguredCache) {
  write("mods/hello.cpp", kGoodModule);
  const Ran run = hotmod({"-M", "mods", "build", "hello"});
  EXPECT_EQ(run.exit_code, 0) << shown(run);
  EXPECT_TRUE(std::regex_search(run.out, std::regex("^built 'hello' in [0-9]+ ms\n"))) << run.out;
  EXPECT_FALSE(empty_or_missing(cache()));
  EXPECT_TRUE(empty_or_missing(dir_ / ".home/.cache")) << "the user's cache stays untouched";
}

TEST_F(Build, TheSecondBuildIsCached) {
  write("mods/hello.cpp", kGoodModule);
  const Ran first = hotmod({"-M", "mods", "build"});
  ASSERT_EQ(first.exit_code, 0) << shown(first);
  EXPECT_TRUE(has(first.out, "built 'hello'")) << first.out;
  const Ran second = hotmod({"-M", "mods", "build"});
  EXPECT_EQ(second.exit_code, 0) << shown(second);
  EXPECT_EQ(second.out, "'hello' is up to date (cached)\n");
}

// The first build in a fresh cache also builds the precompiled header; the
// entry it leaves must still be found by the next process.
TEST_F(Build, TheSecondBuildIsCachedWithThePrecompiledHeader) {
  write("hotmod.json", R"({"cxx": {"cache_dir": "cache", "precompiled_header": true}})");
  write("mods/hello.cpp", kGoodModule);
  const Ran first = hotmod({"-M", "mods", "build"});
  ASSERT_EQ(first.exit_code, 0) << shown(first);
  const Ran second = hotmod({"-M", "mods", "build"});
  EXPECT_EQ(second.exit_code, 0) << shown(second);
  EXPECT_EQ(second.out, "'hello' is up to date (cached)\n");
}

TEST_F(Build, ABrokenModuleShowsTheCompilersErrorAndExits1) {
  write("mods/hello.cpp", kBrokenModule);
  const Ran run = hotmod({"-M", "mods", "build", "hello"});
  EXPECT_EQ(run.exit_code, 1) << shown(run);
  EXPECT_TRUE(std::regex_search(run.err, std::regex("hello\\.cpp:3:[0-9]+: error:"))) << run.err;
  EXPECT_TRUE(has(run.err, "hotmod: error: ")) << run.err;
  EXPECT_TRUE(run.err.find("\033[") == std::string::npos) << "no colour into a file";
}

// One failure does not stop the others, and the exit code still says it.
TEST_F(Build, WithoutNamesEverySourceModuleIsBuiltAndEveryFailureReported) {
  write("mods/good.cpp", std::regex_replace(kGoodModule, std::regex("hello"), "good"));
  write("mods/bad.cpp", std::regex_replace(kBrokenModule, std::regex("hello"), "bad"));
  fs::copy_file(fixtures::counter_v1, mods() / "counter.so");
  const Ran run = hotmod({"-M", "mods", "build"});
  EXPECT_EQ(run.exit_code, 1) << shown(run);
  EXPECT_TRUE(has(run.out, "built 'good'")) << run.out;
  EXPECT_TRUE(has(run.out, "2 modules: 1 ready, 1 failed")) << run.out;
  EXPECT_TRUE(std::regex_search(run.err, std::regex("bad\\.cpp:3:[0-9]+: error:"))) << run.err;
  EXPECT_FALSE(has(run.out + run.err, "counter")) << "library modules are not hotmod's to build";
}

// HOTMOD_CACHE_DIR beats hotmod.json's cxx.cache_dir.
TEST_F(Build, TheEnvironmentNamesTheCache) {
  write("mods/hello.cpp", kGoodModule);
  const Ran run = hotmod({"-M", "mods", "build"}, {{"HOTMOD_CACHE_DIR", "env-cache"}});
  EXPECT_EQ(run.exit_code, 0) << shown(run);
  EXPECT_FALSE(empty_or_missing(dir_ / "env-cache"));
  EXPECT_TRUE(empty_or_missing(cache()));
}

// Production mode is the default; --dev builds the same way.
TEST_F(Build, DevModeBuildsToo) {
  write("mods/hello.cpp", kGoodModule);
  const Ran run = hotmod({"--dev", "-M", "mods", "build", "hello"});
  EXPECT_EQ(run.exit_code, 0) << shown(run);
  EXPECT_TRUE(has(run.out, "built 'hello'")) << run.out;
}

}  // namespace
}  // namespace hotmod_test
