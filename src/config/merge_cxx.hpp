// Merging the `cxx` section (how source modules are compiled) into
// RuntimeOptions::cxx, with an origin for every key.
#pragma once

#include <filesystem>
#include <optional>

#include "config/config_schema.hpp"
#include "config/environment.hpp"
#include "hotmod/config.hpp"

namespace hotmod::config {

// The project file gives every key, the environment only the cache
// (HOTMOD_CACHE_DIR, above the file; relative to `cwd`). ConfigLayer has no
// `cxx` members, so neither the command line nor a host's defaults give
// these: a host sets them on the returned options. `project_dir` is the
// folder of the file read (`file`), else left empty: the builder's cwd.
void merge_cxx(const EnvironmentSettings& env, const FileSettings& file,
               const std::optional<std::filesystem::path>& file_path,
               const std::filesystem::path& cwd, LoadedConfig& out);

}  // namespace hotmod::config
