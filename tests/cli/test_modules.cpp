// `hotmod modules` (discovery, nothing loaded) and `hotmod info NAME` (one
// module, loaded), as text and as JSON.
#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "cli_test_support.hpp"
#include "fixture_paths.hpp"

namespace hotmod_test {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

class Modules : public CliTest {
 protected:
  Modules() {
    fs::copy_file(fixtures::counter_v1, mods() / "counter.so");
    install(fs::path(fixtures::nested), "mods/tools/math.so");
    write("mods/hello.cpp", kGoodModule);
  }
};

TEST_F(Modules, ListsEveryModuleByKindWithoutLoadingAny) {
  const Ran run = hotmod({"-M", "mods", "modules"});
  EXPECT_EQ(run.exit_code, 0) << shown(run);
  EXPECT_EQ(run.out,
            "Name        Kind     Version  Path\n"
            "counter     library  1.0.0    mods/counter.so\n"
            "tools.math  library  0.3.1    mods/tools/math.so\n"
            "hello       source   -        mods/hello.cpp\n");
  EXPECT_FALSE(fs::exists(cache())) << "listing compiles nothing";
}

TEST_F(Modules, JsonIsAnArrayOfModules) {
  const Ran run = hotmod({"-M", "mods", "modules", "--json"});
  ASSERT_EQ(run.exit_code, 0) << shown(run);
  const json list = json::parse(run.out);
  ASSERT_TRUE(list.is_array());
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0]["name"], "counter");
  EXPECT_EQ(list[0]["kind"], "library");
  EXPECT_EQ(list[0]["version"], "1.0.0");
  EXPECT_EQ(list[0]["path"], (mods() / "counter.so").string());
  EXPECT_EQ(list[0]["loaded"], false);
  EXPECT_EQ(list[2]["name"], "hello");
  EXPECT_EQ(list[2]["kind"], "source");
}

TEST_F(Modules, AnEmptyFolderSaysWhatModulesLookLike) {
  fs::remove_all(mods());
  fs::create_directories(mods());
  const Ran run = hotmod({"-M", "mods", "modules"});
  EXPECT_EQ(run.exit_code, 0) << shown(run);
  EXPECT_TRUE(has(run.out, "no modules in " + mods().string())) << run.out;
}

TEST_F(Modules, InfoShowsFunctionsStateAndInterfaces) {
  const Ran run = hotmod({"-M", "mods", "info", "counter"});
  EXPECT_EQ(run.exit_code, 0) << shown(run);
  for (const char* part :
       {"name:         counter\n", "kind:         library\n", "path:         mods/counter.so\n",
        "version:      1.0.0\n", "description:  Counts, in several variants\n", "reloaded 0 times",
        "state:        counter_fixture::State, ", "interfaces:   counter_fixture::ICounter\n",
        "functions:\n", "  int add(int a, int b)", "Adds two numbers\n"})
    EXPECT_TRUE(has(run.out, part)) << part << "\n" << run.out;
}

TEST_F(Modules, InfoJsonHasEveryField) {
  const Ran run = hotmod({"-M", "mods", "info", "tools.math", "--json"});
  ASSERT_EQ(run.exit_code, 0) << shown(run);
  const json info = json::parse(run.out);
  EXPECT_EQ(info["name"], "tools.math");
  EXPECT_EQ(info["version"], "0.3.1");
  EXPECT_EQ(info["loaded"], true);
  EXPECT_EQ(info["description"], "A module in a nested folder");
  ASSERT_EQ(info["functions"].size(), 9u);  // tools.math's conversion fixtures after mul
  EXPECT_EQ(info["functions"][0]["name"], "mul");
  EXPECT_EQ(info["functions"][0]["signature"], "double mul(double a, double b)");
  EXPECT_EQ(info["functions"][0]["doc"], "Multiplies");
  EXPECT_TRUE(info["state"].is_null());
  for (const char* key : {"interfaces", "capabilities", "imports", "dependents"})
    EXPECT_TRUE(info[key].is_array()) << key;
  EXPECT_TRUE(info["load_time"].is_string());
  EXPECT_EQ(info["reload_count"], 0);
}

TEST_F(Modules, InfoCompilesASourceModule) {
  const Ran run = hotmod({"-M", "mods", "info", "hello"});
  EXPECT_EQ(run.exit_code, 0) << shown(run);
  EXPECT_TRUE(has(run.out, "version:      1.0.0\n")) << run.out;
  EXPECT_TRUE(has(run.out, "int answer()")) << run.out;
}

TEST_F(Modules, InfoOfAnUnknownModuleNamesTheNearest) {
  const Ran run = hotmod({"-M", "mods", "info", "countr"});
  EXPECT_EQ(run.exit_code, 1) << shown(run);
  EXPECT_TRUE(has(run.err, "did you mean 'counter'?")) << run.err;
}

TEST_F(Modules, InfoOfAModuleThatDoesNotLoadSaysWhatIsKnownAndWhy) {
  write("mods/hello.cpp", kBrokenModule);
  const Ran run = hotmod({"-M", "mods", "info", "hello"});
  EXPECT_EQ(run.exit_code, 1) << shown(run);
  EXPECT_TRUE(has(run.out, "kind:         source\n")) << run.out;
  EXPECT_TRUE(has(run.out, "loaded:       no\n")) << run.out;
  EXPECT_TRUE(has(run.err, "hello.cpp:3:")) << run.err;
}

}  // namespace
}  // namespace hotmod_test
