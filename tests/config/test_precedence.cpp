// Precedence: for every setting, every combination of the layers that give
// it — command line > environment > project file > host defaults > default —
// and the origin load_config records for the winner.
#include <functional>

#include <gtest/gtest.h>

#include "config_test_support.hpp"
#include "hotmod/config.hpp"
#include "temp_dir_common.hpp"

namespace hotmod {
namespace {

namespace fs = std::filesystem;
using hotmod_test::write_file;

enum Layer { kCli, kEnv, kFile, kHost, kDefault, kLayers };
const char* const kLayerNames[] = {"command line", "environment", "project file", "host defaults",
                                   "default"};

// One setting: how each layer gives it, and what each layer's value reads
// back as. Every layer gives a different value where the type allows, and
// the origin tells the rest apart.
struct Setting {
  std::string name;                        // the origin map's key
  std::vector<std::string> flags;          // command line; empty: set `cli` directly
  std::function<void(ConfigLayer&)> cli;   // no command-line layer when both are empty
  std::string env_var, env_value;          // none when env_var is empty
  std::string file_member;                 // `"key": value`, written on line 2
  std::function<void(ConfigLayer&)> host;  // none when empty
  std::function<std::string(const RuntimeOptions&)> read;
  std::string value[kLayers];
  std::string origin[kLayers];  // kFile: filled in with the file's name
};

std::string ms(std::chrono::milliseconds d) {
  return std::to_string(d.count()) + "ms";
}

std::vector<Setting> settings() {
  return {
      {"dev_mode",
       {"--dev"},
       nullptr,
       "HOTMOD_DEV_MODE",
       "0",
       R"("dev_mode": true)",
       [](ConfigLayer& l) { l.dev_mode = false; },
       [](const RuntimeOptions& o) { return std::string(o.dev_mode ? "true" : "false"); },
       {"true", "false", "true", "false", "false"},
       {"command line (--dev)", "environment (HOTMOD_DEV_MODE)", "", "defaults (host)", "default"}},
      {"hot_reload",
       {"--no-watch"},
       nullptr,
       "HOTMOD_HOT_RELOAD",
       "yes",
       R"("hot_reload": false)",
       [](ConfigLayer& l) { l.hot_reload = true; },
       [](const RuntimeOptions& o) { return std::string(o.hot_reload ? "true" : "false"); },
       {"false", "true", "false", "true", "true"},
       {"command line (--no-watch)", "environment (HOTMOD_HOT_RELOAD)", "", "defaults (host)",
        "default"}},
      {"log_level",
       {"--log-level", "trace"},
       nullptr,
       "HOTMOD_LOG_LEVEL",
       "error",
       R"("log_level": "warning")",
       [](ConfigLayer& l) { l.log_level = LogLevel::debug; },
       [](const RuntimeOptions& o) { return std::string(to_string(o.log_level)); },
       {"trace", "error", "warn", "debug", "info"},
       {"command line (--log-level)", "environment (HOTMOD_LOG_LEVEL)", "", "defaults (host)",
        "default"}},
      {"debounce_ms",
       {"--debounce-ms=1"},
       nullptr,
       "HOTMOD_DEBOUNCE_MS",
       "2",
       R"("debounce_ms": 3)",
       [](ConfigLayer& l) { l.debounce = std::chrono::milliseconds(4); },
       [](const RuntimeOptions& o) { return ms(o.debounce); },
       {"1ms", "2ms", "3ms", "4ms", "30ms"},
       {"command line (--debounce-ms)", "environment (HOTMOD_DEBOUNCE_MS)", "", "defaults (host)",
        "default"}},
      // No flag or variable names these; a host sets them in its layers.
      {"watch.backend",
       {},
       [](ConfigLayer& l) { l.watch_backend = WatchBackend::kernel; },
       "",
       "",
       R"("watch": {"backend": "poll"})",
       [](ConfigLayer& l) { l.watch_backend = WatchBackend::automatic; },
       [](const RuntimeOptions& o) { return std::string(to_string(o.watch_backend)); },
       {"kernel", "", "polling", "auto", "auto"},
       {"command line", "", "", "defaults (host)", "default"}},
      {"watch.poll_interval_ms",
       {},
       [](ConfigLayer& l) { l.poll_interval = std::chrono::milliseconds(11); },
       "",
       "",
       R"("watch": {"poll_interval_ms": 22})",
       [](ConfigLayer& l) { l.poll_interval = std::chrono::milliseconds(33); },
       [](const RuntimeOptions& o) { return ms(o.poll_interval); },
       {"11ms", "", "22ms", "33ms", "100ms"},
       {"command line", "", "", "defaults (host)", "default"}},
      // ConfigLayer holds no `cxx` settings: only the environment and the file.
      {"cxx.cache_dir",
       {},
       nullptr,
       "HOTMOD_CACHE_DIR",
       "/env-cache",
       R"("cxx": {"cache_dir": "/file-cache"})",
       nullptr,
       [](const RuntimeOptions& o) { return o.cxx.cache_dir.string(); },
       {"", "/env-cache", "/file-cache", "", ""},
       {"", "environment (HOTMOD_CACHE_DIR)", "", "", "default"}},
  };
}

class Precedence : public ::testing::Test {
 protected:
  // Loads with the layers in `mask` giving `s`; the file exists either way.
  Result<LoadedConfig> load(const Setting& s, unsigned mask) {
    ConfigInputs in = hotmod_test::inputs_in(dir_.path());
    if (mask & (1u << kCli)) {
      std::vector<std::string> args = s.flags;
      auto cli = parse_command_line(args);
      EXPECT_TRUE(cli.ok() && args.empty());
      if (cli.ok()) in.command_line = *cli;
      if (s.cli) s.cli(in.command_line);
    }
    if (mask & (1u << kEnv)) in.getenv = hotmod_test::getenv_from({{s.env_var, s.env_value}});
    write_file(dir_ / "hotmod.json", (mask & (1u << kFile)) ? "{\n" + s.file_member + "\n}" : "{}");
    if ((mask & (1u << kHost)) && s.host) s.host(in.defaults);
    return load_config(in);
  }

  hotmod_test::TempDir dir_{"hotmod-config"};
};

TEST_F(Precedence, EverySettingEveryCombinationOfLayers) {
  const std::string file_origin = (dir_ / "hotmod.json").string() + ":2";
  for (Setting s : settings()) {
    s.origin[kFile] = file_origin;
    unsigned missing = 0;  // the layers that cannot give this setting
    if (s.flags.empty() && !s.cli) missing |= 1u << kCli;
    if (s.env_var.empty()) missing |= 1u << kEnv;
    if (!s.host) missing |= 1u << kHost;
    for (unsigned mask = 0; mask < (1u << kDefault); ++mask) {
      if (mask & missing) continue;
      int winner = kDefault;
      for (int layer = kCli; layer < kDefault; ++layer) {
        if (mask & (1u << layer)) {
          winner = layer;
          break;
        }
      }
      auto config = load(s, mask);
      ASSERT_TRUE(config.ok()) << s.name << ": " << config.error().message;
      EXPECT_EQ(s.read(config->options), s.value[winner])
          << s.name << " with layers mask " << mask << ": expected the " << kLayerNames[winner]
          << "'s value";
      EXPECT_EQ(config->origin.at(s.name), s.origin[winner]) << s.name << " mask " << mask;
    }
  }
}

// The opposite boolean from the command line beats the environment too.
TEST_F(Precedence, NoDevOnTheCommandLineBeatsTheEnvironment) {
  std::vector<std::string> args{"--no-dev"};
  ConfigInputs in = hotmod_test::inputs_in(dir_.path(), {{"HOTMOD_DEV_MODE", "1"}});
  in.command_line = *parse_command_line(args);
  write_file(dir_ / "hotmod.json", R"({"dev_mode": true})");
  auto config = load_config(in);
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_FALSE(config->options.dev_mode);
  EXPECT_EQ(config->origin.at("dev_mode"), "command line (--no-dev)");
}

// Unset everywhere, the log level follows dev mode, whichever layer set it.
TEST_F(Precedence, LogLevelDefaultFollowsDevMode) {
  write_file(dir_ / "hotmod.json", "{}");
  auto dev = load_config(hotmod_test::inputs_in(dir_.path(), {{"HOTMOD_DEV_MODE", "on"}}));
  ASSERT_TRUE(dev.ok()) << dev.error().message;
  EXPECT_EQ(dev->options.log_level, LogLevel::debug);
  EXPECT_EQ(dev->origin.at("log_level"), "default (dev mode)");

  write_file(dir_ / "hotmod.json", R"({"dev_mode": false})");
  auto prod = load_config(hotmod_test::inputs_in(dir_.path()));
  ASSERT_TRUE(prod.ok()) << prod.error().message;
  EXPECT_EQ(prod->options.log_level, LogLevel::info);
  EXPECT_EQ(prod->origin.at("log_level"), "default");

  // Any layer's level beats the mode's.
  write_file(dir_ / "hotmod.json", R"({"dev_mode": true, "log_level": "error"})");
  auto set = load_config(hotmod_test::inputs_in(dir_.path()));
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ(set->options.log_level, LogLevel::error);
}

// commit, versions_dir, state_dir, capabilities and contain_crashes come from the project file or
// the runtime's defaults (as do the `cxx` keys but cache_dir: test_cxx_section.cpp).
TEST_F(Precedence, FileOnlySettingsFileOrDefault) {
  write_file(dir_ / "hotmod.json", "{}");
  auto none = load_config(hotmod_test::inputs_in(dir_.path()));
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_EQ(none->options.commit, CommitPolicy::immediate);
  EXPECT_EQ(none->options.versions_dir, fs::path());
  EXPECT_EQ(none->options.state_dir, fs::path());
  EXPECT_TRUE(none->options.capabilities.empty());  // nothing granted by default
  EXPECT_EQ(none->options.contain_crashes, RuntimeOptions::Containment::dev);
  for (const char* s : {"commit", "versions_dir", "state_dir", "capabilities", "contain_crashes"})
    EXPECT_EQ(none->origin.at(s), "default") << s;

  write_file(dir_ / "hotmod.json",
             "{\n\"commit\": \"safe_point\",\n\"versions_dir\": \"/v\",\n\"capabilities\": "
             "[],\n\"contain_crashes\": \"always\",\n\"state_dir\": \"state\"\n}");
  auto file = load_config(hotmod_test::inputs_in(dir_.path()));
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_EQ(file->options.commit, CommitPolicy::safe_point);
  EXPECT_EQ(file->options.versions_dir, fs::path("/v"));
  EXPECT_TRUE(file->options.capabilities.empty());
  const std::string f = (dir_ / "hotmod.json").string();
  EXPECT_EQ(file->origin.at("commit"), f + ":2");
  EXPECT_EQ(file->origin.at("versions_dir"), f + ":3");
  EXPECT_EQ(file->origin.at("capabilities"), f + ":4");
  EXPECT_EQ(file->options.contain_crashes, RuntimeOptions::Containment::always);
  EXPECT_EQ(file->origin.at("contain_crashes"), f + ":5");
  EXPECT_EQ(file->options.state_dir, dir_ / "state") << "relative to the file's folder";
  EXPECT_EQ(file->origin.at("state_dir"), f + ":6");
}

}  // namespace
}  // namespace hotmod
