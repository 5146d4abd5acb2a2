// `hotmod modules [--json]`: every module in the module folders, found by
// discovery alone — nothing is opened, loaded or compiled.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/global_options.hpp"

namespace hotmod::cli {

struct ModulesArgs {
  bool json = false;
};

CLI::App* add_modules_command(CLI::App& app, ModulesArgs& args);

// Exit code 0 (also when there are none), 2 for a usage or configuration error.
int run_modules(const GlobalOptions& global, const ModulesArgs& args);

}  // namespace hotmod::cli
