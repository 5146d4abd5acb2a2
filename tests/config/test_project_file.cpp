// hotmod.json: every key read from a real file, misspelled keys warned
// about with file, line and the nearest key, wrong types and bad values
// refused with file, line, key and what is expected, broken JSON refused
// with file, line and column.
#include <algorithm>

#include <gtest/gtest.h>

#include "config_test_support.hpp"
#include "hotmod/config.hpp"
#include "temp_dir_common.hpp"

namespace hotmod {
namespace {

namespace fs = std::filesystem;
using hotmod_test::write_file;

class ProjectFile : public ::testing::Test {
 protected:
  // Writes `text` as the project file and loads it, with nothing else set.
  Result<LoadedConfig> load(const std::string& text) {
    write_file(file(), text);
    return load_config(hotmod_test::inputs_in(dir_.path()));
  }
  fs::path file() const { return dir_ / "hotmod.json"; }
  // "<file>:<line>: " — how every message about the file starts.
  std::string at(int line) const { return file().string() + ":" + std::to_string(line) + ": "; }

  hotmod_test::TempDir dir_{"hotmod-config"};
};

TEST_F(ProjectFile, EveryKeyOfTheDocumentedExample) {
  auto config = load(R"({
    "dev_mode": true,                 // HOTMOD_DEV_MODE, --dev / --no-dev
    "hot_reload": false,              /* HOTMOD_HOT_RELOAD, --no-watch */
    "module_paths": ["build/modules", "/abs/mods"],
    "log_level": "warn",
    "debounce_ms": 45,
    "watch": {"backend": "polling", "poll_interval_ms": 250, "exclude": ["*.bak", "tmp/**"]},
    "capabilities": ["net:listen", "fs:read"],
    "commit": "safe_point",
    "versions_dir": "versions",
    "modules": {
      "physics": {
        "config": {"gravity": 9.81, "nested": {"any": ["thing"]}},
        "build": "cmake --build build --target physics",
        "sources": ["src/physics/**", "include/*.hpp"]
      },
      "hud": {"config": [1, 2]}
    }
  })");
  ASSERT_TRUE(config.ok()) << config.error().message;
  const RuntimeOptions& o = config->options;
  EXPECT_EQ(config->file, file());
  EXPECT_TRUE(config->warnings.empty());
  EXPECT_TRUE(o.dev_mode);
  EXPECT_FALSE(o.hot_reload);
  // Relative paths are the file's folder's; absolute ones stay.
  EXPECT_EQ(o.module_paths, (std::vector<fs::path>{dir_ / "build/modules", "/abs/mods"}));
  EXPECT_EQ(o.log_level, LogLevel::warn);
  EXPECT_EQ(o.debounce, std::chrono::milliseconds(45));
  EXPECT_EQ(o.watch_backend, WatchBackend::polling);
  EXPECT_EQ(o.poll_interval, std::chrono::milliseconds(250));
  EXPECT_EQ(o.watch_exclude, (std::vector<std::string>{"*.bak", "tmp/**"}));
  EXPECT_EQ(o.capabilities, (std::vector<std::string>{"net:listen", "fs:read"}));
  EXPECT_EQ(o.commit, CommitPolicy::safe_point);
  EXPECT_EQ(o.versions_dir, dir_ / "versions");
  ASSERT_EQ(o.module_config.size(), 2u);
  EXPECT_EQ(o.module_config.at("physics"),
            Value::parse(R"({"gravity": 9.81, "nested": {"any": ["thing"]}})"));
  EXPECT_EQ(o.module_config.at("hud"), Value::parse("[1, 2]"));
  ASSERT_EQ(o.builds.size(), 1u);
  const auto& rule = o.builds.at("physics");
  EXPECT_EQ(rule.command, "cmake --build build --target physics");
  EXPECT_EQ(rule.sources, (std::vector<std::string>{"src/physics/**", "include/*.hpp"}));
  EXPECT_EQ(rule.directory, dir_.path());
  // Each setting's origin is the file and the line of its key.
  EXPECT_EQ(config->origin.at("dev_mode"), file().string() + ":2");
  EXPECT_EQ(config->origin.at("hot_reload"), file().string() + ":3");
  EXPECT_EQ(config->origin.at("log_level"), file().string() + ":5");
  EXPECT_EQ(config->origin.at("debounce_ms"), file().string() + ":6");
  EXPECT_EQ(config->origin.at("watch.backend"), file().string() + ":7");
  EXPECT_EQ(config->origin.at("watch.poll_interval_ms"), file().string() + ":7");
  EXPECT_EQ(config->origin.at("capabilities"), file().string() + ":8");
  EXPECT_EQ(config->origin.at("commit"), file().string() + ":9");
  EXPECT_EQ(config->origin.at("versions_dir"), file().string() + ":10");
}

TEST_F(ProjectFile, EmptyObjectGivesTheDefaults) {
  auto config = load("// nothing set yet\n{}\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  const RuntimeOptions d;
  const RuntimeOptions& o = config->options;
  EXPECT_EQ(o.dev_mode, d.dev_mode);
  EXPECT_EQ(o.hot_reload, d.hot_reload);
  EXPECT_EQ(o.log_level, LogLevel::info);
  EXPECT_EQ(o.debounce, d.debounce);
  EXPECT_EQ(o.watch_backend, d.watch_backend);
  EXPECT_EQ(o.poll_interval, d.poll_interval);
  EXPECT_EQ(o.commit, d.commit);
  EXPECT_EQ(o.versions_dir, d.versions_dir);
  EXPECT_EQ(o.capabilities, d.capabilities);
  EXPECT_TRUE(o.module_paths.empty());
  EXPECT_TRUE(o.module_config.empty());
  EXPECT_TRUE(o.builds.empty());
  EXPECT_TRUE(o.watch_exclude.empty());
  for (const char* setting : {"dev_mode", "hot_reload", "log_level", "debounce_ms", "watch.backend",
                              "watch.poll_interval_ms", "commit", "versions_dir", "capabilities"})
    EXPECT_EQ(config->origin.at(setting), "default") << setting;
}

// ---- misspelled keys ------------------------------------------------------------

TEST_F(ProjectFile, UnknownKeysWarnWithFileLineAndTheNearestKey) {
  auto config = load(R"({
  "dev_mod": true,
  "watch": {
    "backnd": "polling"
  },
  "modules": {
    "physics": {
      "sorces": ["a.cpp"],
      "config": {"anything": {"goes": 1}},
      "hot_reload": false
    }
  },
  "colour": "blue",
  "Log_Level": "debug"
})");
  ASSERT_TRUE(config.ok()) << config.error().message;
  const std::vector<std::string> expected{
      at(2) + "unknown key 'dev_mod' ignored; did you mean 'dev_mode'?",
      at(4) + "unknown key 'watch.backnd' ignored; did you mean 'watch.backend'?",
      at(8) +
          "unknown key 'modules.physics.sorces' ignored; did you mean "
          "'modules.physics.sources'?",
      at(10) +
          "unknown key 'modules.physics.hot_reload' ignored; known keys here: config, "
          "build, sources",
      // Nothing near enough to guess: the keys it could have been.
      at(13) +
          "unknown key 'colour' ignored; known keys here: dev_mode, hot_reload, "
          "module_paths, log_level, debounce_ms, watch, capabilities, performance, limits, trace, "
          "commit, contain_crashes, "
          "versions_dir, state_dir, "
          "cxx, modules",
      at(14) + "unknown key 'Log_Level' ignored; did you mean 'log_level'?",
  };
  EXPECT_EQ(config->warnings, expected);
  EXPECT_EQ(config->options.config_warnings, expected);
  // Ignored means ignored: nothing of them was applied.
  EXPECT_FALSE(config->options.dev_mode);
  EXPECT_EQ(config->options.watch_backend, WatchBackend::automatic);
  EXPECT_EQ(config->options.log_level, LogLevel::info);
  EXPECT_TRUE(config->options.builds.empty());
  // The module's own config is free-form: no warnings from inside it.
  EXPECT_EQ(config->options.module_config.at("physics"),
            Value::parse(R"({"anything": {"goes": 1}})"));
}

TEST_F(ProjectFile, AKeyFarFromAnyKnownOneListsTheKnownKeys) {
  auto config = load("{\n  \"watch\": {\"frobnicate\": 1}\n}");
  ASSERT_TRUE(config.ok()) << config.error().message;
  ASSERT_EQ(config->warnings.size(), 1u);
  EXPECT_EQ(config->warnings[0], at(2) +
                                     "unknown key 'watch.frobnicate' ignored; known keys "
                                     "here: backend, poll_interval_ms, exclude");
}

TEST_F(ProjectFile, DuplicateKeysWarnAndTheLastCounts) {
  auto config = load("{\n\"log_level\": \"error\",\n\"log_level\": \"trace\"\n}");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->options.log_level, LogLevel::trace);
  ASSERT_EQ(config->warnings.size(), 1u);
  EXPECT_EQ(config->warnings[0],
            at(3) + "'log_level' is given twice (first on line 2); the last one counts");
  EXPECT_EQ(config->origin.at("log_level"), file().string() + ":3");
}

// ---- wrong types and bad values ------------------------------------------------

struct BadProjectFile {
  std::string text;  // the key in question is on line 2 unless `line` says otherwise
  std::string message;
  int line = 2;
};

TEST_F(ProjectFile, WrongTypesNameFileLineKeyAndExpectedType) {
  const std::vector<BadProjectFile> cases{
      {"{\n\"dev_mode\": \"yes\"}",
       "'dev_mode' must be a boolean (true or false), not \"yes\" (string); e.g. \"dev_mode\": "
       "true"},
      {"{\n\"hot_reload\": 1}", "'hot_reload' must be a boolean (true or false), not 1 (number)"},
      {"{\n\"module_paths\": \"build/modules\"}",
       "'module_paths' must be an array of strings, not \"build/modules\" (string); e.g. "
       "\"module_paths\": [\"build/modules\"]"},
      {"{\"module_paths\": [\"a\",\n 3]}",
       "'module_paths' must be an array of strings, not an array whose element 1 is 3 (number)"},
      {"{\n\"log_level\": 2}", "'log_level' must be a string, not 2 (number)"},
      {"{\n\"debounce_ms\": \"30\"}",
       "'debounce_ms' must be a whole number of milliseconds, 0 or more, not \"30\" (string); "
       "e.g. \"debounce_ms\": 30"},
      {"{\n\"debounce_ms\": -1}",
       "'debounce_ms' must be a whole number of milliseconds, 0 or more, not -1 (number)"},
      {"{\n\"debounce_ms\": 2.5}",
       "'debounce_ms' must be a whole number of milliseconds, 0 or more, not 2.5 (number)"},
      {"{\n\"watch\": [\"polling\"]}", "'watch' must be an object, not an array"},
      {"{\"watch\": {\n\"poll_interval_ms\": 0}}",
       "'watch.poll_interval_ms' must be a whole number of milliseconds, 1 or more, not 0 "
       "(number)"},
      {"{\"watch\": {\n\"exclude\": \"*.bak\"}}", "'watch.exclude' must be an array of strings"},
      {"{\"watch\": {\n\"backend\": null}}", "'watch.backend' must be a string, not null (null)"},
      {"{\n\"capabilities\": \"*\"}", "'capabilities' must be an array of strings"},
      {"{\n\"commit\": true}", "'commit' must be a string, not true (boolean)"},
      {"{\n\"versions_dir\": {}}", "'versions_dir' must be a string, not an object"},
      {"{\n\"modules\": []}", "'modules' must be an object, not an array"},
      {"{\"modules\": {\n\"physics\": \"build it\"}}",
       "'modules.physics' must be an object, not \"build it\" (string)"},
      {"{\"modules\": {\"physics\": {\n\"build\": [\"make\"]}}}",
       "'modules.physics.build' must be a string, not an array; e.g. \"build\": \"cmake --build "
       "build --target physics\""},
      {"{\"modules\": {\"physics\": {\"build\": \"make\",\n\"sources\": [\"a\", {}]}}}",
       "'modules.physics.sources' must be an array of strings, not an array whose element 1 is "
       "an object"},
  };
  for (const auto& c : cases) {
    auto config = load(c.text);
    ASSERT_FALSE(config.ok()) << c.text;
    EXPECT_EQ(config.error().stage, hotmod::Stage::config);
    EXPECT_EQ(config.error().message.substr(0, at(c.line).size() + c.message.size()),
              at(c.line) + c.message)
        << c.text;
  }
}

TEST_F(ProjectFile, BadValuesSayWhatIsAccepted) {
  const std::vector<BadProjectFile> cases{
      {"{\n\"log_level\": \"loud\"}",
       "'log_level' is 'loud'; use trace, debug, info, warn (or warning) or error"},
      {"{\"watch\": {\n\"backend\": \"inotify\"}}",
       "'watch.backend' is 'inotify'; use auto, kernel or polling"},
      {"{\n\"commit\": \"later\"}", "'commit' is 'later'; use immediate or safe_point"},
      {"{\n\"contain_crashes\": \"yes\"}", "'contain_crashes' is 'yes'; use dev, always or off"},
      {"{\n\"debounce_ms\": 86400001}",
       "'debounce_ms' is 86400001 ms, more than a day; use at most 86400000"},
      {"{\"watch\": {\n\"poll_interval_ms\": 18446744073709551615}}",
       "'watch.poll_interval_ms' is 18446744073709551615 ms, more than a day"},
      {"{\n\"module_paths\": [\"a\", \"\"]}", "'module_paths' holds an empty path"},
      {"{\n\"versions_dir\": \"\"}", "'versions_dir' is empty; name a folder or remove the key"},
      {"{\n\"state_dir\": \"\"}", "'state_dir' is empty; name a folder or remove the key"},
      {"{\"modules\": {\"physics\": {\n\"build\": \"\"}}}",
       "'modules.physics.build' is empty; give the command that builds the module"},
      {"{\"modules\": {\"physics\": {\n\"sources\": [\"src/**\"]}}}",
       "'modules.physics.sources' needs a build command next to it: add \"build\": \"cmake "
       "--build build --target physics\" (or remove 'sources')"},
      {"[\"dev_mode\", true]",
       "the project file must hold one JSON object ({\"dev_mode\": true, ...}), not an array", 1},
  };
  for (const auto& c : cases) {
    auto config = load(c.text);
    ASSERT_FALSE(config.ok()) << c.text;
    EXPECT_EQ(config.error().message.substr(0, at(c.line).size() + c.message.size()),
              at(c.line) + c.message)
        << c.text;
  }
}

// Every problem is listed at once, in the order of the file, so one edit
// fixes them all.
TEST_F(ProjectFile, EveryErrorIsListedInLineOrder) {
  auto config = load(R"({
  "watch": {
    "backend": 3
  },
  "dev_mode": "on",
  "zzz": 1,
  "debounce_ms": "x"
})");
  ASSERT_FALSE(config.ok());
  const std::string& m = config.error().message;
  const auto first = m.find(at(3) + "'watch.backend'");
  const auto second = m.find(at(5) + "'dev_mode'");
  const auto third = m.find(at(7) + "'debounce_ms'");
  ASSERT_NE(first, std::string::npos) << m;
  ASSERT_NE(second, std::string::npos) << m;
  ASSERT_NE(third, std::string::npos) << m;
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);
  EXPECT_EQ(std::count(m.begin(), m.end(), '\n'), 2) << m;
}

// ---- malformed files -----------------------------------------------------------

TEST_F(ProjectFile, MalformedJsonNamesFileLineAndColumn) {
  const std::vector<std::pair<std::string, std::string>> cases{
      // A trailing comma, said plainly.
      {"{\n  \"dev_mode\": true,\n}\n", ":3:1: not valid JSON: "},
      // The position is the end of the token the parser could not use.
      {"{\n  \"dev_mode\" true\n}", ":2:17: not valid JSON: "},
      {"{\n  // fine\n  \"log_level\": \"debug\n}", ":3:22: not valid JSON: "},
      {"{\"a\": [1, 2}", ":1:12: not valid JSON: "},
      {"", ":1:1: not valid JSON: "},
      {"{} {}", ":1:4: not valid JSON: "},
      {"{/* never closed", ":1:"},
  };
  for (const auto& [text, where] : cases) {
    auto config = load(text);
    ASSERT_FALSE(config.ok()) << text;
    const std::string& m = config.error().message;
    EXPECT_EQ(m.rfind(file().string() + where, 0), 0u) << m;
    EXPECT_EQ(m.find("[json.exception"), std::string::npos) << m;
  }
  auto comma = load("{\n  \"dev_mode\": true,\n}\n");
  ASSERT_FALSE(comma.ok());
  EXPECT_NE(comma.error().message.find("(a trailing comma? JSON allows none)"), std::string::npos)
      << comma.error().message;
}

}  // namespace
}  // namespace hotmod
