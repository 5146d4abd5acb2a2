#include "cli/global_options.hpp"

namespace hotmod::cli {

// Each flag only records what it was given, as parse_command_line spells
// it; the values are checked there, once, with the messages a host's users
// see too. "--flag=value" keeps a value that starts with '-' a value. Every
// flag is recorded when met (trigger_on_parse), not option by option, so
// `--dev --no-dev` ends in production mode as it does for a host.
void add_global_options(CLI::App& app, GlobalOptions& out) {
  std::vector<std::string>& flags = out.flags;
  const auto with_value = [&app, &flags](const char* names, std::string flag, const char* value,
                                         const char* help) {
    const auto record = [&flags, flag](const std::string& v) { flags.push_back(flag + "=" + v); };
    app.add_option_function<std::string>(names, record, help)->type_name(value)->trigger_on_parse();
  };
  const auto alone = [&app, &flags](const char* name, const char* help) {
    const auto record = [&flags, name](std::int64_t) { flags.emplace_back(name); };
    app.add_flag_function(name, record, help)->trigger_on_parse();
  };
  with_value("-M,--module-path", "--module-path", "DIR",
             "Folder to search for modules (repeatable; before hotmod.json's module_paths)");
  with_value("--config", "--config", "FILE",
             "Project file to read instead of the nearest hotmod.json");
  alone("--dev", "Dev mode: detailed logging, timings, stack traces");
  alone("--no-dev",
        "Production mode (the default for build; call, info, watch, repl, perfmon and "
        "memreport use dev mode unless given)");
  alone("--no-watch", "Do not watch files for changes");
  with_value("--log-level", "--log-level", "LEVEL", "trace, debug, info, warn or error");
}

Result<LoadedConfig> load_options(const GlobalOptions& options) {
  std::vector<std::string> args = options.flags;
  auto layer = parse_command_line(args);
  if (!layer) return layer.error();
  ConfigInputs inputs;
  inputs.command_line = std::move(*layer);
  return load_config(inputs);
}

}  // namespace hotmod::cli
