// `hotmod repl`: a Lua prompt whose globals are the modules, with
// dot-commands to reload, inspect and trace them (the REPL's pieces are the
// repl_*.cpp files; this one only builds the runtime and picks the loop).
#pragma once

#include <CLI/CLI.hpp>

#include "cli/global_options.hpp"

namespace hotmod::cli {

CLI::App* add_repl_command(CLI::App& app);

// Exit code: 0; with stdin not a terminal, 1 when any line failed; 2 for a
// usage or configuration error.
int run_repl(const GlobalOptions& global);

}  // namespace hotmod::cli
