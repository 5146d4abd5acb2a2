// `hotmod new NAME --kind library|source|script [--dir DIR]`: writes a
// module skeleton that builds, loads and reloads as generated.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "cli/global_options.hpp"

namespace hotmod::cli {

struct NewArgs {
  std::string name;
  std::string kind;
  std::string dir;  // empty: the first module folder (library: the current folder)
};

CLI::App* add_new_command(CLI::App& app, NewArgs& args);

// Exit code 0 written; 1 a file or a module of that name exists already
// (nothing is written); 2 a bad name, kind or configuration.
int run_new(const GlobalOptions& global, const NewArgs& args);

}  // namespace hotmod::cli
