// `hotmod info NAME [--json]`: one module's metadata. The module is loaded
// (source modules are compiled, or taken from the cache): its functions,
// signatures, state and interfaces are only known from the loaded version.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "cli/global_options.hpp"

namespace hotmod::cli {

struct InfoArgs {
  std::string name;
  bool json = false;
};

CLI::App* add_info_command(CLI::App& app, InfoArgs& args);

// Exit code 0; 1 when the module is unknown or does not load (what is known
// without loading it is still printed, then the error and the build output);
// 2 for a usage or configuration error.
int run_info(const GlobalOptions& global, const InfoArgs& args);

}  // namespace hotmod::cli
