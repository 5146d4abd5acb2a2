// config/settings: the table of settings every layer gives holds together
// with the rest — every id has one row, every row but the project file's own
// name is a key of hotmod.json's schema under the same name, the environment
// reads every row's variable, and every command-line flag sets a setting
// that parsing the flag's text really changes.
#include "config/settings.hpp"

#include <map>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "config/config_schema.hpp"
#include "config/environment.hpp"

namespace hotmod::config {
namespace {

TEST(Settings, EveryIdHasOneRowWithAUniqueNameAndVariable) {
  std::set<std::string_view> names, variables;
  for (const Setting& s : settings()) {
    EXPECT_EQ(setting(s.id).name, s.name);
    EXPECT_TRUE(names.insert(s.name).second) << s.name;
    EXPECT_TRUE(variables.insert(s.variable).second) << s.variable;
    EXPECT_TRUE(s.variable.starts_with("HOTMOD_")) << s.variable;
    EXPECT_FALSE(s.noun.empty());
    EXPECT_FALSE(s.accepted.empty());
  }
  EXPECT_EQ(settings().size(), 6u) << "a new SettingId needs a row";
}

TEST(Settings, EveryRowIsAKeyOfTheProjectFileUnderTheSameName) {
  for (const Setting& s : settings()) {
    if (s.id == SettingId::config_file) continue;  // a project file cannot name itself
    bool found = false;
    for (const Rule& rule : schema_rules()) {
      if (rule.pattern != "/" + std::string(s.name)) continue;
      found = true;
      EXPECT_EQ(rule.setting, s.name) << "its origin goes by the same name";
    }
    EXPECT_TRUE(found) << s.name << " has no row in hotmod.json's schema";
  }
}

TEST(Settings, TheEnvironmentReadsEveryRowsVariable) {
  for (const Setting& s : settings()) {
    ConfigLayer expected;
    const std::string text = s.id == SettingId::dev_mode || s.id == SettingId::hot_reload ? "on"
                             : s.id == SettingId::log_level                               ? "warn"
                             : s.id == SettingId::debounce                                ? "12"
                                                                                          : "a:b";
    ASSERT_TRUE(read_setting(s.id, text, TextSource::variable, expected)) << s.name;
    auto read = read_environment([&](const char* name) -> std::optional<std::string> {
      if (name == s.variable) return text;
      return std::nullopt;
    });
    ASSERT_TRUE(read.ok()) << read.error().message;
    EXPECT_EQ(read->layer.dev_mode, expected.dev_mode) << s.variable;
    EXPECT_EQ(read->layer.hot_reload, expected.hot_reload) << s.variable;
    EXPECT_EQ(read->layer.module_paths, expected.module_paths) << s.variable;
    EXPECT_EQ(read->layer.log_level, expected.log_level) << s.variable;
    EXPECT_EQ(read->layer.debounce, expected.debounce) << s.variable;
    EXPECT_EQ(read->layer.config_file, expected.config_file) << s.variable;
  }
}

TEST(Settings, AVariableListsFoldersAFlagNamesOne) {
  ConfigLayer from_variable, from_flags;
  ASSERT_TRUE(read_setting(SettingId::module_paths, "a:b", TextSource::variable, from_variable));
  EXPECT_EQ(from_variable.module_paths.size(), 2u);
  ASSERT_TRUE(read_setting(SettingId::module_paths, "a:b", TextSource::flag, from_flags));
  ASSERT_TRUE(read_setting(SettingId::module_paths, "c", TextSource::flag, from_flags));
  EXPECT_EQ(from_flags.module_paths,
            (std::vector<std::filesystem::path>{"a:b", "c"}))
      << "-M repeats; a folder named with a ':' stays whole";
}

TEST(Settings, EveryFlagChangesWhatItsTextSays) {
  for (const CommandLineFlag& flag : command_line_flags()) {
    std::vector<std::string> args{std::string(flag.name)};
    if (!flag.value.empty())
      args.push_back(flag.name == "--log-level"     ? "warn"
                     : flag.name == "--debounce-ms" ? "12"
                                                    : "x");
    auto layer = parse_command_line(args);
    ASSERT_TRUE(layer.ok()) << flag.name << ": " << layer.error().message;
    const bool changed = layer->dev_mode || layer->hot_reload || !layer->module_paths.empty() ||
                         layer->log_level || layer->debounce || layer->config_file;
    EXPECT_TRUE(changed) << flag.name << " set nothing";
    EXPECT_TRUE(args.empty()) << flag.name << " was left to the host";
  }
}

}  // namespace
}  // namespace hotmod::config
