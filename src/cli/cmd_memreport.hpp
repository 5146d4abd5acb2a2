// `hotmod memreport [NAME...] [--json]`: loads modules and prints what they
// hold in memory — the REPL's `.memreport`, for scripts and CI.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/global_options.hpp"

namespace hotmod::cli {

struct MemreportArgs {
  std::vector<std::string> names;
  bool json = false;
};

CLI::App* add_memreport_command(CLI::App& app, MemreportArgs& args);

// Exit code 0; 1 when a module did not load (the report still follows);
// 2 for a usage or configuration error.
int run_memreport(const GlobalOptions& global, const MemreportArgs& args);

}  // namespace hotmod::cli
