// The flags every subcommand takes: hotmod::command_line_flags(), the ones
// an embedding host takes (-M/--module-path, --config, --dev, --no-dev,
// --no-watch, --log-level, --debounce-ms). CLI11 parses them (for --help and
// error messages); their meaning is hotmod::parse_command_line's, the same
// an embedding host gets, so `hotmod` and a host read one configuration.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "hotmod/config.hpp"

namespace hotmod::cli {

struct GlobalOptions {
  // hotmod's flags as given, in hotmod::parse_command_line's spelling
  // ("--module-path=DIR", "--dev", ...), in command-line order.
  std::vector<std::string> flags;
};

// Adds the flags to `app`; their values are recorded in `out`. Also
// reachable after a subcommand's name (`hotmod build -M mods`).
void add_global_options(CLI::App& app, GlobalOptions& out);

// The layered configuration (command line > HOTMOD_* > hotmod.json >
// defaults) with these flags as its command-line layer. A bad flag value or
// a bad project file is an error naming the flag, or the file, line and key.
Result<LoadedConfig> load_options(const GlobalOptions& options);

}  // namespace hotmod::cli
