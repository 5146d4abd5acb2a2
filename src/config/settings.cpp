#include "config/settings.hpp"

#include <array>
#include <string>

#include <fmt/format.h>

#include "config/text_values.hpp"

namespace hotmod::config {
namespace {

constexpr std::string_view kMillisAccepted =
    "a whole number of milliseconds from 0 to 86400000, e.g. 30";
static_assert(kMaxMillis == 86'400'000, "kMillisAccepted names the limit");

constexpr std::array kSettings{
    Setting{SettingId::dev_mode, "dev_mode", "HOTMOD_DEV_MODE", "a boolean", kBoolValues},
    Setting{SettingId::hot_reload, "hot_reload", "HOTMOD_HOT_RELOAD", "a boolean", kBoolValues},
    Setting{SettingId::module_paths, "module_paths", "HOTMOD_MODULE_PATH", "a folder",
            "a folder, or folders separated by ':'"},
    Setting{SettingId::log_level, "log_level", "HOTMOD_LOG_LEVEL", "a log level", kLogLevels},
    Setting{SettingId::debounce, "debounce_ms", "HOTMOD_DEBOUNCE_MS", "a number of milliseconds",
            kMillisAccepted},
    Setting{SettingId::config_file, "config_file", "HOTMOD_CONFIG", "a file",
            "the path of a hotmod.json"},
};

// Each path in a ':'-separated list, skipping empty entries ("a::b", "a:").
std::vector<std::filesystem::path> split_paths(std::string_view list) {
  std::vector<std::filesystem::path> out;
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t colon = std::min(list.find(':', start), list.size());
    if (colon > start) out.emplace_back(list.substr(start, colon - start));
    start = colon + 1;
  }
  return out;
}

}  // namespace

std::span<const Setting> settings() {
  return kSettings;
}

const Setting& setting(SettingId id) {
  for (const Setting& s : kSettings)
    if (s.id == id) return s;
  return kSettings[0];  // unreachable: every id has a row (a test checks)
}

bool read_setting(SettingId id, std::string_view text, TextSource source, ConfigLayer& layer) {
  switch (id) {
    case SettingId::dev_mode:
      layer.dev_mode = parse_bool(text);
      return layer.dev_mode.has_value();
    case SettingId::hot_reload:
      layer.hot_reload = parse_bool(text);
      return layer.hot_reload.has_value();
    case SettingId::module_paths:
      if (source == TextSource::variable) {
        layer.module_paths = split_paths(text);
      } else {
        if (text.empty()) return false;
        layer.module_paths.emplace_back(text);
      }
      return true;
    case SettingId::log_level:
      layer.log_level = parse_log_level(text);
      return layer.log_level.has_value();
    case SettingId::debounce:
      layer.debounce = parse_millis(text);
      return layer.debounce.has_value();
    case SettingId::config_file:
      if (text.empty()) return false;
      layer.config_file = std::filesystem::path(text);
      return true;
  }
  return false;
}

std::string variable_origin(SettingId id) {
  return fmt::format("environment ({})", setting(id).variable);
}

}  // namespace hotmod::config
