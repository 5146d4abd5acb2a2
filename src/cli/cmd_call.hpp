// `hotmod call MODULE.FUNCTION [ARG...]`: loads one module, calls one of its
// functions with JSON arguments and prints the result as JSON — a module
// tried from the shell or a script without writing a host.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/global_options.hpp"

namespace hotmod::cli {

struct CallArgs {
  std::string target;             // MODULE.FUNCTION
  std::vector<std::string> args;  // each a JSON value
};

CLI::App* add_call_command(CLI::App& app, CallArgs& args);

// Exit code: 0 the result is on stdout; 1 the module is unknown or did not
// load (with its build output), the function is unknown (the exported ones
// are listed), the arguments do not fit or the function threw; 2 a usage or
// configuration error (no '.', an argument that is not JSON).
int run_call(const GlobalOptions& global, const CallArgs& args);

}  // namespace hotmod::cli
