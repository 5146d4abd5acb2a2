// Which project file to read: the one a layer names, else the nearest
// hotmod.json from the current folder up to the project's root — the first
// folder holding `.git`, or the home folder — never above it: a project file
// can turn dev mode on, add module paths, run build commands and grant
// capabilities, so one in a parent folder anyone could write is not read.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "hotmod/config.hpp"

namespace hotmod::config {

// A file named by --config, HOTMOD_CONFIG or the host's defaults (in that
// order; relative to `cwd`) must exist: a typo there would otherwise run
// with silently different settings. A hotmod.json found by searching is
// optional, and searching stops at the first one, never merging parents. A
// found file owned by anyone but `self` or root is skipped, with a warning
// in `warnings`.
Result<std::optional<std::filesystem::path>> locate_project_file(
    const ConfigInputs& inputs, const ConfigLayer& environment, const std::filesystem::path& cwd,
    const std::optional<std::filesystem::path>& home, std::vector<std::string>* warnings,
    uid_t self = ::getuid());

}  // namespace hotmod::config
