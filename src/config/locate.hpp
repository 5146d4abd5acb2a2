// Which project file to read: the one a layer names, else the nearest
// hotmod.json from the current folder up.
#pragma once

#include <filesystem>
#include <optional>

#include "hotmod/config.hpp"

namespace hotmod::config {

// A file named by --config, HOTMOD_CONFIG or the host's defaults (in that
// order; relative to `cwd`) must exist: a typo there would otherwise run
// with silently different settings. A hotmod.json found by searching is
// optional, and searching stops at the first one, never merging parents.
Result<std::optional<std::filesystem::path>> locate_project_file(const ConfigInputs& inputs,
                                                                 const ConfigLayer& environment,
                                                                 const std::filesystem::path& cwd);

}  // namespace hotmod::config
