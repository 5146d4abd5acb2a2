// The environment layer: HOTMOD_* variables.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "hotmod/config.hpp"

namespace hotmod::config {

using Getenv = std::function<std::optional<std::string>(const char*)>;

// What the environment gave: the settings every layer can give, and those
// only the environment and the project file give.
struct EnvironmentSettings {
  ConfigLayer layer;
  std::optional<std::filesystem::path> cache_dir;  // HOTMOD_CACHE_DIR -> cxx.cache_dir
};

// HOTMOD_DEV_MODE, HOTMOD_HOT_RELOAD (booleans), HOTMOD_MODULE_PATH (folders
// separated by ':'), HOTMOD_LOG_LEVEL, HOTMOD_DEBOUNCE_MS, HOTMOD_CONFIG,
// HOTMOD_CACHE_DIR. A variable set to "" counts as unset, as shells make
// clearing one easy that way. A bad value is an error naming the variable,
// its value and what it accepts. Relative paths are left relative
// (load_config resolves them).
Result<EnvironmentSettings> read_environment(const Getenv& getenv);

}  // namespace hotmod::config
