// hotmod/config.hpp — layered configuration: command line > environment >
// project file (hotmod.json) > the host's defaults > hotmod's defaults.
//
//   std::vector<std::string> args(argv + 1, argv + argc);
//   hotmod::ConfigInputs in;
//   auto cli = hotmod::parse_command_line(args);   // takes --dev, -M DIR, ...
//   if (!cli) die(cli.error().message);
//   in.command_line = *cli;
//   in.defaults.module_paths = {"build/modules"};
//   auto config = hotmod::load_config(in);
//   if (!config) die(config.error().message);      // names file, line and key
//   hotmod::Runtime rt(config->options);
//
// The project file is `hotmod.json` in the current folder or the nearest
// parent that has one; HOTMOD_CONFIG or --config names another. Comments
// (// and /* */) are allowed and relative paths are resolved against the
// file's folder:
//
//   {
//     "dev_mode": true,                 // HOTMOD_DEV_MODE, --dev / --no-dev
//     "hot_reload": true,               // HOTMOD_HOT_RELOAD, --no-watch
//     "module_paths": ["build/modules"],// HOTMOD_MODULE_PATH (a:b), -M DIR
//     "log_level": "info",              // HOTMOD_LOG_LEVEL, --log-level
//     "debounce_ms": 30,                // HOTMOD_DEBOUNCE_MS, --debounce-ms
//     "watch": {"backend": "auto", "poll_interval_ms": 100, "exclude": ["*.bak"]},
//     "capabilities": {"*": ["fs:read"], "net": ["net:listen"], "report": ["lua:io"]},
//     "performance": {"slow_ms": {"library": 5, "source": 1000, "script": 20, "scan": 100}},
//     "limits": {"build_s": 600, "compile_s": 300, "hook_s": 60, "pinned_call_s": 10,  // 0: none
//                "retired_code_s": 300, "retired_code_mb": 64,  // 0: close replaced code at once
//                "script_instructions": 100000000, "script_memory_mb": 256},
//     "trace": "hotmod-trace.json",     // Chrome trace events of builds, loads, reloads
//     "commit": "immediate",            // or "safe_point"
//     "contain_crashes": "dev",         // or "always", "off"
//     "versions_dir": "/tmp/my-versions",
//     "state_dir": "/var/lib/my-service/hotmod",  // where quarantine.json is kept
//     "modules": {
//       "physics": {
//         "config": {"gravity": 9.81},  // the module's ctx.config()
//         "build": "cmake --build build --target physics",
//         "sources": ["src/physics/**"]
//       }
//     }
//   }
//
// A single setting takes the value of the highest layer that gives it.
// Module paths are merged: command line first, then the project file, then
// the environment, then the defaults; a module found in two places is taken
// from the first and the other is reported. An unknown key is a warning
// naming file, line and the nearest known key; a value of the wrong type is
// an error naming file, line, key and the expected type.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hotmod/runtime.hpp"
#include "hotmod/value.hpp"

namespace hotmod {

// The settings one layer gives; unset members are left to lower layers.
struct ConfigLayer {
  std::optional<bool> dev_mode;
  std::optional<bool> hot_reload;
  std::vector<std::filesystem::path> module_paths;  // merged, never overriding
  std::optional<LogLevel> log_level;
  std::optional<std::chrono::milliseconds> debounce;
  std::optional<WatchBackend> watch_backend;
  std::optional<std::chrono::milliseconds> poll_interval;
  std::optional<std::filesystem::path> config_file;  // --config / HOTMOD_CONFIG
};

// Takes hotmod's own flags out of `args` and leaves the rest, in order, to
// the host: --dev, --no-dev, --no-watch, --config FILE, -M/--module-path DIR
// (repeatable), --log-level LEVEL, --debounce-ms N (also --flag=value). A
// flag missing its value or with a bad value is an error naming the flag.
Result<ConfigLayer> parse_command_line(std::vector<std::string>& args);

// The flags parse_command_line takes, one row each: the table the `hotmod`
// command builds its own flags from, so a host and `hotmod` accept the same.
struct CommandLineFlag {
  std::string_view name;   // "--module-path"
  std::string_view alias;  // "-M", or empty
  std::string_view value;  // what its value is called ("DIR"); empty: takes none
  std::string_view help;
};
std::span<const CommandLineFlag> command_line_flags();

struct ConfigInputs {
  ConfigLayer command_line;
  ConfigLayer defaults;  // the host's own defaults, below the project file
  // Reads an environment variable; a seam for tests. Default: std::getenv.
  std::function<std::optional<std::string>(const char*)> getenv;
  std::filesystem::path cwd;  // where hotmod.json is looked for; default: the current folder
  bool find_project_file = true;
};

struct LoadedConfig {
  RuntimeOptions options;                     // the merged result, ready for Runtime
  std::optional<std::filesystem::path> file;  // the project file read, if any
  // Where each setting came from: "dev_mode" -> "environment (HOTMOD_DEV_MODE)",
  // "command line (--dev)", "/p/hotmod.json:3", "default".
  std::map<std::string, std::string, std::less<>> origin;
  std::vector<std::string> warnings;  // also in options.config_warnings
};

Result<LoadedConfig> load_config(const ConfigInputs& inputs);

// "trace", "debug", "info", "warn" (or "warning"), "error"; nullopt otherwise.
std::optional<LogLevel> parse_log_level(std::string_view text);
std::string_view to_string(LogLevel level);

}  // namespace hotmod
