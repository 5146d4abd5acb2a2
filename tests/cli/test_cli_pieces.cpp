// Small pieces of the command line, called directly: call arguments,
// module names for `new`, where the REPL keeps its history.
#include <gtest/gtest.h>

#include "cli/call_args.hpp"
#include "cli/new_module.hpp"
#include "cli/repl_history.hpp"

namespace hotmod_test {
namespace {

using namespace hotmod::cli;

TEST(CallArgs, TheModuleEndsAtTheLastDot) {
  auto t = split_call_target("algorithms.sorting.quick");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->module, "algorithms.sorting");
  EXPECT_EQ(t->function, "quick");
  for (const char* bad : {"math", ".f", "math.", ""})
    EXPECT_FALSE(split_call_target(bad).ok()) << bad;
}

TEST(CallArgs, EachArgumentIsJson) {
  auto v = parse_call_args({"2", "1.5", "\"text\"", "[1,2]", "{\"a\":true}", "null"});
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->dump(), R"([2,1.5,"text",[1,2],{"a":true},null])");
  auto bad = parse_call_args({"1", "hello"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            "argument 2 (hello) is not a JSON value; to pass it as text, quote it: '\"hello\"'");
}

TEST(NewModule, NamesAreIdentifiersJoinedByDots) {
  for (const char* good : {"x", "tools.math", "_private", "a1.b2.c3"})
    EXPECT_EQ(module_name_problem(good), "") << good;
  for (const char* bad : {"", "1x", "a..b", ".a", "a.", "net-io", "a b", "tools/math"})
    EXPECT_NE(module_name_problem(bad), "") << bad;
}

TEST(NewModule, SourceAndScriptAreOneFileLibraryAFolder) {
  const auto source = plan_module("tools.math", hotmod::ModuleKind::source, "/m", "/m");
  ASSERT_EQ(source.files.size(), 1u);
  EXPECT_EQ(source.files[0].path, "/m/tools/math.cpp");
  const auto library = plan_module("tools.math", hotmod::ModuleKind::library, "/p", "/p/mods");
  ASSERT_EQ(library.files.size(), 2u);
  EXPECT_EQ(library.files[0].path, "/p/tools/math/math.cpp");
  EXPECT_EQ(library.files[1].path, "/p/tools/math/CMakeLists.txt");
  EXPECT_NE(library.files[1].text.find("\"${CMAKE_CURRENT_SOURCE_DIR}/../../mods\""),
            std::string::npos)
      << library.files[1].text;
  EXPECT_NE(library.files[1].text.find("hotmod_add_module(tools_math NAME tools.math"),
            std::string::npos);
  EXPECT_EQ(library_build_command("/p/tools/math", "/p", CmakeGenerator::cmake_default),
            "test -f tools/math/build/CMakeCache.txt || cmake -S tools/math -B tools/math/build "
            "&& cmake --build tools/math/build");
  EXPECT_EQ(library_build_command("/p/tools/math", "/p", CmakeGenerator::ninja),
            "test -f tools/math/build/CMakeCache.txt || cmake -G Ninja -S tools/math -B "
            "tools/math/build && cmake --build tools/math/build");
  // scripts/setup installs Ninja and not make: the rule `hotmod new` writes
  // here must configure with what is installed.
  EXPECT_EQ(available_generator(), CmakeGenerator::ninja);
  EXPECT_EQ(library_sources_glob("/p/tools/math", "/p"), "tools/math/**");
}

TEST(History, XdgStateHomeElseHome) {
  std::map<std::string, std::string> env;
  const Getenv getenv = [&env](const char* name) -> std::optional<std::string> {
    auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  EXPECT_EQ(history_path(getenv), "");
  env["HOME"] = "/home/ada";
  EXPECT_EQ(history_path(getenv), "/home/ada/.local/state/hotmod/history");
  env["XDG_STATE_HOME"] = "relative/ignored";
  EXPECT_EQ(history_path(getenv), "/home/ada/.local/state/hotmod/history");
  env["XDG_STATE_HOME"] = "/state";
  EXPECT_EQ(history_path(getenv), "/state/hotmod/history");
}

}  // namespace
}  // namespace hotmod_test
