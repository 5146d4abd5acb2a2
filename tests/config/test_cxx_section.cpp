// hotmod.json's `cxx` section (how source modules are compiled): every key
// reaches RuntimeOptions::cxx with its origin, relative paths are the
// file's folder's, wrong types and bad values are refused with file, line,
// key and what is expected, misspelled keys warned about.
#include <gtest/gtest.h>

#include "config_test_support.hpp"
#include "hotmod/config.hpp"
#include "temp_dir_common.hpp"

namespace hotmod {
namespace {

namespace fs = std::filesystem;
using hotmod_test::write_file;
using Strings = std::vector<std::string>;

class CxxSection : public ::testing::Test {
 protected:
  // The file lives in project/, the process "runs" in elsewhere/, so a
  // path resolved against the wrong folder shows.
  Result<LoadedConfig> load(const std::string& text, hotmod_test::FakeEnv env = {}) {
    write_file(file(), text);
    fs::create_directories(dir_ / "elsewhere");
    ConfigInputs in = hotmod_test::inputs_in(dir_ / "elsewhere", std::move(env));
    in.command_line.config_file = file();
    return load_config(in);
  }
  fs::path project() const { return dir_ / "project"; }
  fs::path file() const { return project() / "hotmod.json"; }
  std::string at(int line) const { return file().string() + ":" + std::to_string(line) + ": "; }

  hotmod_test::TempDir dir_{"hotmod-config"};
};

TEST_F(CxxSection, EveryKeyReachesTheRuntimeOptions) {
  auto config = load(R"({
  "cxx": {
    "compiler": "clang++",
    "flags": ["-O1", "-Wall"],
    "include_dirs": ["include", "/opt/inc"],
    "defines": ["NDEBUG", "LEVEL=2"],
    "link_libraries": ["m", "-lz", "-Llib", "-L/abs/lib", "lib/libfoo.a", "/abs/libbar.so"],
    "launcher": "ccache",
    "compile_commands": "build/compile_commands.json",
    "cache_dir": ".hotmod-cache",
    "linker": "mold",
    "precompiled_header": false,
    "jobs": 3
  }
})");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_TRUE(config->warnings.empty());
  const RuntimeOptions::Cxx& c = config->options.cxx;
  EXPECT_EQ(c.compiler, "clang++");
  EXPECT_EQ(c.flags, (Strings{"-O1", "-Wall"}));
  EXPECT_EQ(c.include_dirs, (std::vector<fs::path>{project() / "include", "/opt/inc"}));
  EXPECT_EQ(c.defines, (Strings{"NDEBUG", "LEVEL=2"}));
  // Names the linker looks up stay; folders and files are the project's.
  EXPECT_EQ(c.link_libraries,
            (Strings{"m", "-lz", "-L" + (project() / "lib").string(), "-L/abs/lib",
                     (project() / "lib/libfoo.a").string(), "/abs/libbar.so"}));
  EXPECT_EQ(c.launcher, "ccache");
  EXPECT_EQ(c.compile_commands, project() / "build/compile_commands.json");
  EXPECT_TRUE(c.use_compile_commands);
  EXPECT_EQ(c.cache_dir, project() / ".hotmod-cache");
  EXPECT_EQ(c.linker, "mold");
  EXPECT_FALSE(c.precompiled_header);
  EXPECT_EQ(c.jobs, 3u);
  EXPECT_EQ(c.project_dir, project());

  const std::vector<std::pair<std::string, int>> origins{{"cxx.compiler", 3},
                                                         {"cxx.flags", 4},
                                                         {"cxx.include_dirs", 5},
                                                         {"cxx.defines", 6},
                                                         {"cxx.link_libraries", 7},
                                                         {"cxx.launcher", 8},
                                                         {"cxx.compile_commands", 9},
                                                         {"cxx.cache_dir", 10},
                                                         {"cxx.linker", 11},
                                                         {"cxx.precompiled_header", 12},
                                                         {"cxx.jobs", 13}};
  for (const auto& [key, line] : origins)
    EXPECT_EQ(config->origin.at(key), file().string() + ":" + std::to_string(line)) << key;
  EXPECT_EQ(config->origin.at("cxx.project_dir"),
            "the project file's folder (" + file().string() + ")");
}

TEST_F(CxxSection, WithoutTheSectionEveryKeyKeepsItsDefault) {
  auto config = load("{}");
  ASSERT_TRUE(config.ok()) << config.error().message;
  const RuntimeOptions::Cxx d;
  const RuntimeOptions::Cxx& c = config->options.cxx;
  EXPECT_EQ(c.compiler, d.compiler);
  EXPECT_EQ(c.flags, d.flags);
  EXPECT_EQ(c.include_dirs, d.include_dirs);
  EXPECT_EQ(c.defines, d.defines);
  EXPECT_EQ(c.link_libraries, d.link_libraries);
  EXPECT_EQ(c.launcher, d.launcher);
  EXPECT_EQ(c.compile_commands, d.compile_commands);
  EXPECT_EQ(c.use_compile_commands, d.use_compile_commands);
  EXPECT_EQ(c.cache_dir, d.cache_dir);
  EXPECT_EQ(c.linker, "auto");
  EXPECT_EQ(c.precompiled_header, d.precompiled_header);
  EXPECT_EQ(c.jobs, d.jobs);
  // A file was read, so its folder is the project's.
  EXPECT_EQ(c.project_dir, project());
  for (const char* key : {"cxx.compiler", "cxx.flags", "cxx.include_dirs", "cxx.defines",
                          "cxx.link_libraries", "cxx.launcher", "cxx.compile_commands",
                          "cxx.cache_dir", "cxx.linker", "cxx.precompiled_header", "cxx.jobs"})
    EXPECT_EQ(config->origin.at(key), "default") << key;
}

// No project file: the builder works from the current folder.
TEST_F(CxxSection, WithoutAProjectFileTheProjectDirIsLeftEmpty) {
  ConfigInputs in = hotmod_test::inputs_in(dir_.path());
  in.find_project_file = false;
  auto config = load_config(in);
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->options.cxx.project_dir, fs::path());
  EXPECT_EQ(config->origin.at("cxx.project_dir"), "default (the current folder)");
}

TEST_F(CxxSection, CompileCommandsFalseTurnsTheLookupOffAndTrueKeepsIt) {
  auto off = load(R"({"cxx": {"compile_commands": false}})");
  ASSERT_TRUE(off.ok()) << off.error().message;
  EXPECT_FALSE(off->options.cxx.use_compile_commands);
  EXPECT_EQ(off->options.cxx.compile_commands, fs::path());
  EXPECT_EQ(off->origin.at("cxx.compile_commands"), at(1).substr(0, at(1).size() - 2));

  auto on = load(R"({"cxx": {"compile_commands": true}})");
  ASSERT_TRUE(on.ok()) << on.error().message;
  EXPECT_TRUE(on->options.cxx.use_compile_commands);
  EXPECT_EQ(on->options.cxx.compile_commands, fs::path());
}

// A compiler named by a relative path is the project's; a name is PATH's,
// and a value with words is left for the builder to split.
TEST_F(CxxSection, ACompilerPathIsTheFilesFolders) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"tools/bin/clang++", (project() / "tools/bin/clang++").string()},
      {"/usr/bin/g++", "/usr/bin/g++"},
      {"g++-12", "g++-12"},
      {"ccache bin/g++", "ccache bin/g++"},
  };
  for (const auto& [written, read] : cases) {
    auto config = load(R"({"cxx": {"compiler": ")" + written + "\"}}");
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_EQ(config->options.cxx.compiler, read) << written;
  }
}

// The environment names a cache for a shell or a CI job: it beats the
// file, and a relative one is the current folder's, as for every variable.
TEST_F(CxxSection, HotmodCacheDirBeatsTheFile) {
  auto config = load(R"({"cxx": {"cache_dir": "from-file"}})", {{"HOTMOD_CACHE_DIR", "ci-cache"}});
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->options.cxx.cache_dir, dir_ / "elsewhere/ci-cache");
  EXPECT_EQ(config->origin.at("cxx.cache_dir"), "environment (HOTMOD_CACHE_DIR)");

  auto absolute = load("{}", {{"HOTMOD_CACHE_DIR", "/var/cache/hotmod"}});
  ASSERT_TRUE(absolute.ok()) << absolute.error().message;
  EXPECT_EQ(absolute->options.cxx.cache_dir, fs::path("/var/cache/hotmod"));
}

TEST_F(CxxSection, UnknownKeysWarnWithTheNearestOne) {
  auto config = load("{\"cxx\": {\n\"compilr\": \"g++\",\n\"job\": 2,\n\"frobnicate\": 1}}");
  ASSERT_TRUE(config.ok()) << config.error().message;
  const Strings expected{
      at(2) + "unknown key 'cxx.compilr' ignored; did you mean 'cxx.compiler'?",
      at(3) + "unknown key 'cxx.job' ignored; did you mean 'cxx.jobs'?",
      at(4) +
          "unknown key 'cxx.frobnicate' ignored; known keys here: compiler, flags, "
          "include_dirs, defines, link_libraries, launcher, compile_commands, cache_dir, "
          "linker, precompiled_header, jobs",
  };
  EXPECT_EQ(config->warnings, expected);
  EXPECT_EQ(config->options.cxx.compiler, "");
}

struct BadFile {
  std::string text;  // the key in question is on line 2
  std::string message;
};

TEST_F(CxxSection, WrongTypesNameFileLineKeyAndExpectedType) {
  const std::vector<BadFile> cases{
      {"{\n\"cxx\": \"g++\"}",
       "'cxx' must be an object, not \"g++\" (string); e.g. \"cxx\": {\"compiler\": \"g++\"}"},
      {"{\"cxx\": {\n\"compiler\": [\"g++\"]}}",
       "'cxx.compiler' must be a string, not an array; e.g. \"compiler\": \"g++\""},
      {"{\"cxx\": {\n\"flags\": \"-O2\"}}",
       "'cxx.flags' must be an array of strings, not \"-O2\" (string); e.g. \"flags\": "
       "[\"-O1\", \"-Wall\"]"},
      {"{\"cxx\": {\"include_dirs\": [\"a\",\n 1]}}",
       "'cxx.include_dirs' must be an array of strings, not an array whose element 1 is 1 "
       "(number)"},
      {"{\"cxx\": {\n\"defines\": {\"A\": 1}}}",
       "'cxx.defines' must be an array of strings, not an object"},
      {"{\"cxx\": {\n\"link_libraries\": \"m\"}}",
       "'cxx.link_libraries' must be an array of strings, not \"m\" (string)"},
      {"{\"cxx\": {\n\"launcher\": false}}",
       "'cxx.launcher' must be a string, not false (boolean); e.g. \"launcher\": \"ccache\""},
      {"{\"cxx\": {\n\"compile_commands\": 0}}",
       "'cxx.compile_commands' must be a path (a string) or a boolean (false: none), not 0 "
       "(number); e.g. \"compile_commands\": \"build/compile_commands.json\""},
      {"{\"cxx\": {\n\"cache_dir\": null}}", "'cxx.cache_dir' must be a string, not null (null)"},
      {"{\"cxx\": {\n\"linker\": 1}}", "'cxx.linker' must be a string, not 1 (number)"},
      {"{\"cxx\": {\n\"precompiled_header\": \"yes\"}}",
       "'cxx.precompiled_header' must be a boolean (true or false), not \"yes\" (string)"},
      {"{\"cxx\": {\n\"jobs\": -1}}",
       "'cxx.jobs' must be a whole number, 0 or more, not -1 (number); e.g. \"jobs\": 4"},
      {"{\"cxx\": {\n\"jobs\": 1.5}}", "'cxx.jobs' must be a whole number, 0 or more, not 1.5"},
      {"{\"cxx\": {\n\"jobs\": \"4\"}}", "'cxx.jobs' must be a whole number, 0 or more, not \"4\""},
  };
  for (const auto& c : cases) {
    auto config = load(c.text);
    ASSERT_FALSE(config.ok()) << c.text;
    EXPECT_EQ(config.error().stage, hotmod::Stage::config);
    EXPECT_EQ(config.error().message.substr(0, at(2).size() + c.message.size()), at(2) + c.message)
        << c.text;
  }
}

TEST_F(CxxSection, BadValuesSayWhatIsAccepted) {
  const std::vector<BadFile> cases{
      {"{\"cxx\": {\n\"linker\": \"gold\"}}",
       "'cxx.linker' is 'gold'; use auto, mold, lld or default"},
      {"{\"cxx\": {\n\"jobs\": 5000}}",
       "'cxx.jobs' is 5000; use at most 1024, or 0 for one per core"},
      {"{\"cxx\": {\n\"compiler\": \" \"}}",
       "'cxx.compiler' is empty; name a compiler (\"g++\", \"clang++\") or remove the key to use "
       "$CXX, else c++"},
      {"{\"cxx\": {\n\"cache_dir\": \"\"}}",
       "'cxx.cache_dir' is empty; name a folder or remove the key"},
      {"{\"cxx\": {\n\"compile_commands\": \"\"}}",
       "'cxx.compile_commands' is empty; name the file (\"build/compile_commands.json\"), or write "
       "false to use none"},
      {"{\"cxx\": {\n\"include_dirs\": [\"\"]}}",
       "'cxx.include_dirs' holds an empty path; remove it or name a folder"},
      {"{\"cxx\": {\n\"flags\": [\"-O2\", \"\"]}}", "'cxx.flags' holds an empty string; remove it"},
      {"{\"cxx\": {\n\"link_libraries\": [\"\"]}}",
       "'cxx.link_libraries' holds an empty string; remove it"},
      {"{\"cxx\": {\n\"defines\": [\"-DNDEBUG\"]}}",
       "'cxx.defines' holds '-DNDEBUG'; write it without -D: \"NDEBUG\""},
      {"{\"cxx\": {\n\"defines\": [\"=1\"]}}",
       "'cxx.defines' holds '=1', which names no macro; write \"NAME\" or \"NAME=VALUE\""},
  };
  for (const auto& c : cases) {
    auto config = load(c.text);
    ASSERT_FALSE(config.ok()) << c.text;
    EXPECT_EQ(config.error().message.substr(0, at(2).size() + c.message.size()), at(2) + c.message)
        << c.text;
  }
}

// The launcher may be cleared with "" (the default: none), unlike the
// compiler, whose default comes from $CXX.
TEST_F(CxxSection, AnEmptyLauncherMeansNone) {
  auto config = load(R"({"cxx": {"launcher": ""}})");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->options.cxx.launcher, "");
}

}  // namespace
}  // namespace hotmod
