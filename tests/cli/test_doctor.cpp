// `hotmod doctor`: one line per check, [fail] lines with what to do, and an
// exit code that says whether anything failed.
#include <gtest/gtest.h>

#include "cli_test_support.hpp"
#include "fixture_paths.hpp"

namespace hotmod_test {
namespace {

namespace fs = std::filesystem;
using Doctor = CliTest;

TEST_F(Doctor, AHealthySetupIsAllOk) {
  fs::copy_file(fixtures::counter_v1, mods() / "counter.so");
  write("mods/hello.cpp", kGoodModule);
  const Ran run = hotmod({"-M", "mods", "doctor"});
  EXPECT_EQ(run.exit_code, 0) << shown(run);
  for (const std::string& part : std::vector<std::string>{
           "[ok]   config: hotmod.json\n",
           "[ok]   module folder mods: 1 library, 1 source, 0 script modules\n",
           "[ok]   C++ compiler: ", "[ok]   linker: ", "[ok]   build cache: " + cache().string(),
           "[ok]   inotify: 1 folder to watch, limit ", "[ok]   Lua: Lua 5.", " 0 failed"})
    EXPECT_TRUE(has(run.out, part)) << part << "\n" << run.out;
  EXPECT_FALSE(has(run.out, "[fail]")) << run.out;
}

TEST_F(Doctor, AMissingModuleFolderFails) {
  const Ran run = hotmod({"-M", "mods", "-M", "gone", "doctor"});
  EXPECT_EQ(run.exit_code, 1) << shown(run);
  EXPECT_TRUE(has(run.out, "[fail] module folder gone does not exist; create it, or fix -M"))
      << run.out;
  EXPECT_TRUE(has(run.out, "[ok]   module folder mods: ")) << "the others are still checked";
}

TEST_F(Doctor, ABrokenProjectFileFailsWithFileAndLine) {
  write("hotmod.json", "{\n  \"module_paths\": [\"mods\"],\n  \"dev_mode\": tru\n}\n");
  const Ran run = hotmod({"-M", "mods", "doctor"});
  EXPECT_EQ(run.exit_code, 1) << shown(run);
  EXPECT_TRUE(has(run.out, "[fail] config: " + (dir_ / "hotmod.json").string() + ":3:")) << run.out;
  EXPECT_TRUE(has(run.out, "[ok]   module folder mods: ")) << "-M still counts" << run.out;
}

TEST_F(Doctor, AWrongTypeInTheProjectFileFailsWithFileLineAndKey) {
  write("hotmod.json", "{\"cxx\": {\n  \"jobs\": -1}}");
  const Ran run = hotmod({"-M", "mods", "doctor"});
  EXPECT_EQ(run.exit_code, 1) << shown(run);
  EXPECT_TRUE(has(run.out, "[fail] config: " + (dir_ / "hotmod.json").string() +
                               ":2: 'cxx.jobs' must be a whole number"))
      << run.out;
}

TEST_F(Doctor, AMissingCompilerFailsOnlyWithSourceModules) {
  write("hotmod.json", R"({"cxx": {"cache_dir": "cache", "compiler": "no-such-c++"}})");
  const Ran without = hotmod({"-M", "mods", "doctor"});
  EXPECT_EQ(without.exit_code, 0) << shown(without);
  EXPECT_TRUE(has(without.out, "[warn] C++ compiler: cannot find the C++ compiler 'no-such-c++'"))
      << without.out;
  write("mods/hello.cpp", kGoodModule);
  const Ran with = hotmod({"-M", "mods", "doctor"});
  EXPECT_EQ(with.exit_code, 1) << shown(with);
  EXPECT_TRUE(has(with.out, "[fail] C++ compiler: cannot find the C++ compiler 'no-such-c++'"))
      << with.out;
}

// A cache folder that cannot exist (a file stands where its parent should
// be): refused whoever runs the tests, root included.
TEST_F(Doctor, ACacheThatCannotBeCreatedFails) {
  write("blocker", "a file, not a folder\n");
  write("hotmod.json", R"({"cxx": {"cache_dir": "blocker/cache"}})");
  const Ran run = hotmod({"-M", "mods", "doctor"});
  EXPECT_EQ(run.exit_code, 1) << shown(run);
  EXPECT_TRUE(has(run.out, "[fail] build cache: " + (dir_ / "blocker/cache").string() +
                               " cannot be created (" + (dir_ / "blocker").string() +
                               " is a file, not a folder)"))
      << run.out;
  EXPECT_TRUE(has(run.out, "set cxx.cache_dir in hotmod.json (or HOTMOD_CACHE_DIR)")) << run.out;
}

}  // namespace
}  // namespace hotmod_test
