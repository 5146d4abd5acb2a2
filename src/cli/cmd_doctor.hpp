// `hotmod doctor`: checks what hotmod needs — the configuration, the module
// folders, the compiler and linker, the build cache, file watching, Lua —
// and prints one [ok], [warn] or [fail] line each, with the fix for problems.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/global_options.hpp"

namespace hotmod::cli {

CLI::App* add_doctor_command(CLI::App& app);

// Exit code 0 when nothing failed (warnings allowed), 1 otherwise.
int run_doctor(const GlobalOptions& global);

}  // namespace hotmod::cli
