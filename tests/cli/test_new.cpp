// `hotmod new`: skeletons of each kind that build, load and reload as
// generated — compiled, built with CMake and called for real here.
#include <signal.h>

#include <cstdlib>
#include <fstream>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "cli_test_support.hpp"
#include "process/run.hpp"

namespace hotmod_test {
namespace {

namespace fs = std::filesystem;
using New = CliTest;

// Runs `command` through the shell in `dir`, the way the build rule runs.
hotmod::process::Outcome shell(const fs::path& dir, const std::string& command) {
  return hotmod::process::run(hotmod::process::shell(command, dir));
}

TEST_F(New, ASourceModuleCompilesAndAnswersAsGenerated) {
  const Ran made = hotmod({"-M", "mods", "new", "greeter", "--kind", "source"});
  ASSERT_EQ(made.exit_code, 0) << shown(made);
  EXPECT_TRUE(has(made.out, "Created source module 'greeter': mods/greeter.cpp\n")) << made.out;
  EXPECT_TRUE(has(made.out, "call greeter.greet '\"Ada\"'")) << made.out;
  const Ran run = hotmod({"-M", "mods", "call", "greeter.greet", "\"Ada\""});
  EXPECT_EQ(run.exit_code, 0) << shown(run);
  EXPECT_EQ(run.out, "\"hello Ada from greeter (call 1)\"\n");
}

TEST_F(New, DotsInTheNameMakeFolders) {
  const Ran made = hotmod({"-M", "mods", "new", "tools.strings", "--kind", "source"});
  ASSERT_EQ(made.exit_code, 0) << shown(made);
  ASSERT_TRUE(fs::exists(mods() / "tools/strings.cpp"));
  EXPECT_TRUE(has(read_file(mods() / "tools/strings.cpp"), "HOTMOD_MODULE(\"tools.strings\""));
  const Ran list = hotmod({"-M", "mods", "modules"});
  EXPECT_TRUE(has(list.out, "tools.strings  source")) << list.out;
}

TEST_F(New, AScriptModuleAnswersAsGenerated) {
  const Ran made = hotmod({"-M", "mods", "new", "lua_greeter", "--kind", "script"});
  ASSERT_EQ(made.exit_code, 0) << shown(made);
  ASSERT_TRUE(fs::exists(mods() / "lua_greeter.lua"));
  EXPECT_TRUE(has(read_file(mods() / "lua_greeter.lua"), "hotmod.state.calls"));
  const Ran run = hotmod({"-M", "mods", "call", "lua_greeter.greet", "\"Ada\""});
  EXPECT_EQ(run.exit_code, 0) << shown(run);
  EXPECT_EQ(run.out, "\"hello Ada from lua_greeter (call 1)\"\n");
}

// The generated CMakeLists.txt configured and built on its own, the module
// called, then rebuilt by `hotmod watch` through the build rule when its
// source changes. hotmod.json did not exist: `new` writes one with the rule.
TEST_F(New, ALibraryModuleBuildsWithCMakeAndRebuildsWhenWatched) {
  fs::remove(dir_ / "hotmod.json");
  const Ran made = hotmod({"-M", "mods", "new", "plugin", "--kind", "library"});
  ASSERT_EQ(made.exit_code, 0) << shown(made);
  EXPECT_TRUE(has(made.out, "plugin/plugin.cpp, plugin/CMakeLists.txt, hotmod.json")) << made.out;
  const nlohmann::json config = nlohmann::json::parse(read_file(dir_ / "hotmod.json"));
  EXPECT_EQ(config["module_paths"], nlohmann::json::array({"mods"}));
  EXPECT_EQ(config["modules"]["plugin"]["sources"], nlohmann::json::array({"plugin/**"}));
  const std::string build = config["modules"]["plugin"]["build"];
  // Configured with Ninja, which scripts/setup installs (make it does not).
  EXPECT_TRUE(has(build, "cmake -G Ninja -S plugin")) << build;

  // The first configure takes the host's flags (a sanitizer build's host
  // refuses modules built without its sanitizer); rebuilds keep them.
  const std::string host_flags = HOTMOD_TEST_CXX_FLAGS;
  const hotmod::process::Outcome built =
      shell(dir_.path(), "export CXXFLAGS='" + host_flags + "'; " + build);
  ASSERT_TRUE(built.ok()) << built.describe() << "\n" << built.output;
  ASSERT_TRUE(fs::exists(mods() / "plugin.so")) << built.output;
  const Ran run = hotmod({"call", "plugin.greet", "\"Ada\""});
  EXPECT_EQ(run.exit_code, 0) << shown(run);
  EXPECT_EQ(run.out, "\"hello Ada from plugin (call 1)\"\n");

  auto watch = background({"watch", "plugin"});
  ASSERT_TRUE(watch->wait_for_out("; Ctrl-C stops\n")) << watch->out() << watch->err();
  std::string source = read_file(dir_ / "plugin/plugin.cpp");
  source.replace(source.find("\"hello \""), 8, "\"howdy \"");
  write("plugin/plugin.cpp", source);
  EXPECT_TRUE(watch->wait_for_out("[OK] Module 'plugin' reloaded (library, "))
      << watch->out() << watch->err();
  watch->signal(SIGINT);
  EXPECT_EQ(watch->wait().exit_code, 0);
}

// With a hotmod.json already there, the rule is shown, not written into it.
TEST_F(New, ALibraryModuleShowsTheRuleForAnExistingProjectFile) {
  const std::string before = read_file(dir_ / "hotmod.json");
  const Ran made = hotmod({"-M", "mods", "new", "plugin", "--kind", "library"});
  ASSERT_EQ(made.exit_code, 0) << shown(made);
  EXPECT_TRUE(has(made.out, "add to the \"modules\" of hotmod.json:\n  \"plugin\": {\"build\":"))
      << made.out;
  EXPECT_EQ(read_file(dir_ / "hotmod.json"), before);
}

TEST_F(New, ExistingFilesAreNeverOverwritten) {
  write("plugin/plugin.cpp", "// mine\n");
  const Ran run = hotmod({"-M", "mods", "new", "plugin", "--kind", "library"});
  EXPECT_EQ(run.exit_code, 1) << shown(run);
  EXPECT_TRUE(has(run.err, "will not overwrite plugin/plugin.cpp;")) << run.err;
  EXPECT_EQ(read_file(dir_ / "plugin/plugin.cpp"), "// mine\n");
  EXPECT_FALSE(fs::exists(dir_ / "plugin/CMakeLists.txt")) << "nothing is written";
}

TEST_F(New, AModuleOfThatNameIsRefused) {
  write("mods/greeter.cpp", kGoodModule);
  const Ran run = hotmod({"-M", "mods", "new", "greeter", "--kind", "script"});
  EXPECT_EQ(run.exit_code, 1) << shown(run);
  EXPECT_TRUE(has(run.err, "a module named 'greeter' exists already: mods/greeter.cpp")) << run.err;
  EXPECT_FALSE(fs::exists(mods() / "greeter.lua"));
}

TEST_F(New, BadNamesAreRefused) {
  for (const char* name : {"1st", "a..b", "net-io", ".x", "x.", "a b"}) {
    const Ran run = hotmod({"-M", "mods", "new", name, "--kind", "source"});
    EXPECT_EQ(run.exit_code, 2) << name << "\n" << shown(run);
    EXPECT_TRUE(has(run.err, "is not a module name: use letters, digits and _")) << run.err;
  }
  EXPECT_TRUE(fs::is_empty(mods()));
}

TEST_F(New, AnUnknownKindIsRefused) {
  const Ran run = hotmod({"-M", "mods", "new", "x", "--kind", "python"});
  EXPECT_EQ(run.exit_code, 2) << shown(run);
  EXPECT_TRUE(has(run.err, "python")) << run.err;
}

TEST_F(New, LibrarySourcesInAModuleFolderAreRefused) {
  const Ran run = hotmod({"-M", "mods", "new", "plugin", "--kind", "library", "--dir", "mods"});
  EXPECT_EQ(run.exit_code, 2) << shown(run);
  EXPECT_TRUE(has(run.err, "would be taken for a source module; pass --dir outside it")) << run.err;
}

}  // namespace
}  // namespace hotmod_test
