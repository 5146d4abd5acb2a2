#include "cli/cmd_doctor.hpp"

#include <fmt/format.h>
#include <lua.h>

#include <cstdio>

#include "cli/cli_runtime.hpp"
#include "cli/doctor_checks.hpp"
#include "cli/terminal.hpp"

namespace hotmod::cli {
namespace {

// The configuration: the project file read (or none), its warnings; when it
// is broken, the error (with file:line) and the options the command line
// and environment give without it, so the other checks still run.
std::vector<Check> check_config(const GlobalOptions& global, RuntimeOptions* options) {
  Result<LoadedConfig> config = load_options(global);
  if (config) {
    *options = config->options;
    std::vector<Check> out;
    out.push_back({CheckLevel::ok, config->file
                                       ? fmt::format("config: {}", display_path(*config->file))
                                       : "config: no hotmod.json here or above (flags, "
                                         "HOTMOD_* variables and defaults)"});
    for (const std::string& w : config->warnings)
      out.push_back({CheckLevel::warn, fmt::format("config: {}", w)});
    return out;
  }
  std::vector<Check> out{{CheckLevel::fail, fmt::format("config: {}", config.error().message)}};
  std::vector<std::string> flags = global.flags;
  auto layer = parse_command_line(flags);
  if (layer) {
    ConfigInputs inputs;
    inputs.command_line = std::move(*layer);
    inputs.find_project_file = false;
    inputs.command_line.config_file.reset();
    if (auto without = load_config(inputs)) *options = without->options;
  }
  return out;
}

void print(const Check& check, bool colour) {
  const char* tag = check.level == CheckLevel::ok     ? "[ok]  "
                    : check.level == CheckLevel::warn ? "[warn]"
                                                      : "[fail]";
  const Colour c = check.level == CheckLevel::ok     ? Colour::green
                   : check.level == CheckLevel::warn ? Colour::yellow
                                                     : Colour::red;
  std::printf("%s %s\n", paint(tag, c, colour).c_str(), check.text.c_str());
}

}  // namespace

Check check_lua() {
  return {CheckLevel::ok, "Lua: " LUA_RELEASE " (compiled in)"};
}

CLI::App* add_doctor_command(CLI::App& app) {
  CLI::App* doctor = app.add_subcommand(
      "doctor",
      "Check the compiler, linker, build cache, file watching, config and module folders");
  doctor->footer(
      "Prints [ok], [warn] or [fail] per check, with what to do about problems.\n"
      "Exit code 0 when nothing failed, 1 otherwise. Changes nothing.");
  return doctor;
}

int run_doctor(const GlobalOptions& global) {
  RuntimeOptions options;
  std::vector<Check> checks = check_config(global, &options);
  bool has_sources = false;
  std::vector<Check> paths = check_module_paths(options, &has_sources);
  checks.insert(checks.end(), paths.begin(), paths.end());
  std::vector<Check> toolchain = check_toolchain(options, has_sources);
  checks.insert(checks.end(), toolchain.begin(), toolchain.end());
  checks.push_back(check_cache(options));
  std::vector<Check> watching = check_watching(options);
  checks.insert(checks.end(), watching.begin(), watching.end());
  checks.push_back(check_lua());

  const bool colour = colour_for(stdout);
  std::size_t failed = 0, warned = 0;
  for (const Check& c : checks) {
    print(c, colour);
    failed += c.level == CheckLevel::fail ? 1 : 0;
    warned += c.level == CheckLevel::warn ? 1 : 0;
  }
  std::printf("%zu checks: %zu failed, %zu warnings\n", checks.size(), failed, warned);
  return failed > 0 ? kExitFailed : kExitOk;
}

}  // namespace hotmod::cli
