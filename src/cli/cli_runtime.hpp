// What the commands that load modules (call, info, modules, watch, perfmon,
// memreport, repl) share before they make a Runtime: the configuration from
// the global flags, a module folder to look in, and the runtime's own log
// kept to warnings and errors unless a level was asked for — the command's
// output is what the user reads.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cli/global_options.hpp"
#include "hotmod/config.hpp"

namespace hotmod::cli {

struct CommandSetup {
  RuntimeOptions options;
  std::optional<std::filesystem::path> file;  // the project file read, if any
  std::string where;                          // the module folders, for messages
  bool log_level_given = false;               // by a flag, HOTMOD_LOG_LEVEL or hotmod.json
};

// Whether the command prints every failed load, reload and call itself:
// then the runtime's error lines, which say the same, are left out.
enum class Failures { logged, reported_by_command };

// The options, or nullopt after printing the error: a bad flag or project
// file (exit 2, *exit_code), or no module folder at all (exit 2). Unless a
// log level was asked for, the runtime logs warnings (and errors, see
// Failures) only.
std::optional<CommandSetup> setup_runtime(const GlobalOptions& global, int* exit_code,
                                          Failures failures = Failures::logged);

// Whether --no-dev came after any --dev on the command line: the commands
// that want dev mode's timings and heap counts turn it on unless told not to.
bool no_dev_given(const GlobalOptions& global);

// One line per name in `names` that is not one of `modules`, with the
// nearest name; "" when all are modules. `where` names the module folders.
std::string unknown_names(const std::vector<std::string>& names,
                          const std::vector<ModuleInfo>& modules, const std::string& where);

// Whether `path` is strictly below `folder` (both absolute, normal).
bool is_below(const std::filesystem::path& path, const std::filesystem::path& folder);

// "a, b, c".
std::string joined(const std::vector<std::string>& items);
// The module folders, joined.
std::string folders(const RuntimeOptions& options);
// `p` relative to the current folder when it is below it, else as it is.
std::string display_path(const std::filesystem::path& p);

}  // namespace hotmod::cli
