// `hotmod watch [NAME...]`: dev mode with the file watcher on. Loads the
// named modules (every discovered one when none is named), then prints one
// line per load and reload attempt until Ctrl-C (SIGINT) or SIGTERM.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/global_options.hpp"

namespace hotmod::cli {

struct WatchArgs {
  std::vector<std::string> names;
};

CLI::App* add_watch_command(CLI::App& app, WatchArgs& args);

// Exit code 0 when stopped by SIGINT or SIGTERM (failed reloads are reported,
// not fatal); 1 when the watcher cannot start; 2 for a usage or
// configuration error (an unknown name is one, with the nearest name).
int run_watch(const GlobalOptions& global, const WatchArgs& args);

}  // namespace hotmod::cli
