// The settings more than one layer gives, one row each: the name they go by
// in hotmod.json and in LoadedConfig::origin, the HOTMOD_* variable, what a
// text value may be, and how one is read into a ConfigLayer. The
// environment layer reads these rows, the command line's flags (a host's
// and the `hotmod` command's: command_line.cpp) point at them, the project
// file's schema has a row for each name (a test holds them together), and
// origins are named from them — so a setting is spelled, parsed and
// explained the same way wherever it is given.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "hotmod/config.hpp"

namespace hotmod::config {

enum class SettingId { dev_mode, hot_reload, module_paths, log_level, debounce, config_file };

struct Setting {
  SettingId id;
  std::string_view name;      // "debounce_ms": hotmod.json's key, LoadedConfig::origin's name
  std::string_view variable;  // "HOTMOD_DEBOUNCE_MS"
  std::string_view noun;      // "a number of milliseconds": what a bad value is not
  std::string_view accepted;  // what to write instead
};

std::span<const Setting> settings();
const Setting& setting(SettingId id);

// Where a text value comes from: a variable's value is a whole list of
// folders ("a:b"), a flag's one folder (-M repeats).
enum class TextSource { variable, flag };

// Reads `text` into `layer`'s member for the setting; false when the text is
// not a valid value (nothing is stored then).
bool read_setting(SettingId id, std::string_view text, TextSource source, ConfigLayer& layer);

// "environment (HOTMOD_DEV_MODE)", for LoadedConfig::origin.
std::string variable_origin(SettingId id);

}  // namespace hotmod::config
