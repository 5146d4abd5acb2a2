// config/environment: HOTMOD_* variables, read through the getenv seam, and
// what a bad value says.
#include "config/environment.hpp"

#include <stdlib.h>

#include <gtest/gtest.h>

#include "config_test_support.hpp"
#include "temp_dir_common.hpp"

namespace hotmod::config {
namespace {

using hotmod_test::FakeEnv;
using hotmod_test::getenv_from;
using Paths = std::vector<std::filesystem::path>;

TEST(Environment, ReadsEveryVariable) {
  auto read = read_environment(getenv_from({{"HOTMOD_DEV_MODE", "yes"},
                                            {"HOTMOD_HOT_RELOAD", "off"},
                                            {"HOTMOD_MODULE_PATH", "/a:rel/b"},
                                            {"HOTMOD_LOG_LEVEL", "WARNING"},
                                            {"HOTMOD_DEBOUNCE_MS", "12"},
                                            {"HOTMOD_CONFIG", "other.json"},
                                            {"HOTMOD_CACHE_DIR", "rel/cache"}}));
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(read->layer.dev_mode, true);
  EXPECT_EQ(read->layer.hot_reload, false);
  EXPECT_EQ(read->layer.module_paths, (Paths{"/a", "rel/b"}));
  EXPECT_EQ(read->layer.log_level, LogLevel::warn);
  EXPECT_EQ(read->layer.debounce, std::chrono::milliseconds(12));
  EXPECT_EQ(read->layer.config_file, std::filesystem::path("other.json"));
  EXPECT_FALSE(read->layer.watch_backend);
  EXPECT_FALSE(read->layer.poll_interval);
  EXPECT_EQ(read->cache_dir, std::filesystem::path("rel/cache"));
}

TEST(Environment, UnsetAndEmptyVariablesSetNothing) {
  for (const FakeEnv& env : {FakeEnv{}, FakeEnv{{"HOTMOD_DEV_MODE", ""},
                                                {"HOTMOD_HOT_RELOAD", ""},
                                                {"HOTMOD_MODULE_PATH", ""},
                                                {"HOTMOD_LOG_LEVEL", ""},
                                                {"HOTMOD_DEBOUNCE_MS", ""},
                                                {"HOTMOD_CONFIG", ""},
                                                {"HOTMOD_CACHE_DIR", ""}}}) {
    auto read = read_environment(getenv_from(env));
    ASSERT_TRUE(read.ok()) << read.error().message;
    EXPECT_FALSE(read->layer.dev_mode);
    EXPECT_FALSE(read->layer.hot_reload);
    EXPECT_TRUE(read->layer.module_paths.empty());
    EXPECT_FALSE(read->layer.log_level);
    EXPECT_FALSE(read->layer.debounce);
    EXPECT_FALSE(read->layer.config_file);
    EXPECT_FALSE(read->cache_dir);
  }
}

TEST(Environment, ModulePathSkipsEmptyEntries) {
  auto read = read_environment(getenv_from({{"HOTMOD_MODULE_PATH", ":a::b/c:"}}));
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->layer.module_paths, (Paths{"a", "b/c"}));
}

// The message names the variable, its value and what it accepts.
TEST(Environment, BadValuesNameVariableValueAndWhatIsAccepted) {
  const std::vector<std::pair<FakeEnv, std::string>> cases{
      {{{"HOTMOD_DEV_MODE", "maybe"}},
       "HOTMOD_DEV_MODE='maybe' is not valid; use 1/0, true/false, yes/no or on/off"},
      {{{"HOTMOD_HOT_RELOAD", "2"}},
       "HOTMOD_HOT_RELOAD='2' is not valid; use 1/0, true/false, yes/no or on/off"},
      {{{"HOTMOD_LOG_LEVEL", "loud"}},
       "HOTMOD_LOG_LEVEL='loud' is not valid; use trace, debug, info, warn (or warning) or error"},
      {{{"HOTMOD_DEBOUNCE_MS", "30ms"}},
       "HOTMOD_DEBOUNCE_MS='30ms' is not valid; use a whole number of milliseconds from 0 to "
       "86400000, e.g. 30"},
      {{{"HOTMOD_DEBOUNCE_MS", "-1"}}, "HOTMOD_DEBOUNCE_MS='-1' is not valid"},
  };
  for (const auto& [env, message] : cases) {
    auto read = read_environment(getenv_from(env));
    ASSERT_FALSE(read.ok()) << message;
    EXPECT_EQ(read.error().message.substr(0, message.size()), message);
    EXPECT_EQ(read.error().stage, hotmod::Stage::config);
  }
}

// load_config refuses to start on a bad variable rather than ignoring it.
TEST(Environment, LoadConfigStopsOnABadVariable) {
  hotmod_test::TempDir dir("hotmod-config");
  auto config = load_config(hotmod_test::inputs_in(dir.path(), {{"HOTMOD_DEV_MODE", "sure"}}));
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("HOTMOD_DEV_MODE='sure'"), std::string::npos);
}

// Without a getenv seam, load_config reads the process's environment.
TEST(Environment, DefaultSeamIsTheProcessEnvironment) {
  hotmod_test::TempDir dir("hotmod-config");
  ASSERT_EQ(::setenv("HOTMOD_DEBOUNCE_MS", "77", 1), 0);
  ConfigInputs in;
  in.cwd = dir.path();
  in.find_project_file = false;
  auto config = load_config(in);
  ::unsetenv("HOTMOD_DEBOUNCE_MS");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->options.debounce, std::chrono::milliseconds(77));
  EXPECT_EQ(config->origin.at("debounce_ms"), "environment (HOTMOD_DEBOUNCE_MS)");
}

}  // namespace
}  // namespace hotmod::config
