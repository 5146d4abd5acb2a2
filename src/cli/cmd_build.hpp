// `hotmod build [NAMES...]`: compiles source modules into the build cache
// without loading them, in dev and production mode alike — how a
// production deployment gets its modules ready before it starts.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/global_options.hpp"

namespace hotmod::cli {

struct BuildArgs {
  std::vector<std::string> names;  // none: every source module found
};

CLI::App* add_build_command(CLI::App& app, BuildArgs& args);

// Prints one line per module and a failed build's compiler output. Exit
// code: 0 all built or cached, 1 some failed, 2 a usage or config error
// (an unknown name, a module that is not a source module, a bad hotmod.json).
int run_build(const GlobalOptions& global, const BuildArgs& args);

}  // namespace hotmod::cli
