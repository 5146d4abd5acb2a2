// `hotmod perfmon [NAME...] [--json]`: loads modules and prints where the
// time went — the REPL's `.perfmon`, for scripts and CI.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/global_options.hpp"

namespace hotmod::cli {

struct PerfmonArgs {
  std::vector<std::string> names;
  bool json = false;
};

CLI::App* add_perfmon_command(CLI::App& app, PerfmonArgs& args);

// Exit code 0; 1 when a module did not load (the report still follows);
// 2 for a usage or configuration error.
int run_perfmon(const GlobalOptions& global, const PerfmonArgs& args);

}  // namespace hotmod::cli
