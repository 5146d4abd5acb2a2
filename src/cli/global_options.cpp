#include "cli/global_options.hpp"

namespace hotmod::cli {

// The flags are parse_command_line's own table (command_line_flags()), so
// `hotmod` takes every flag a host takes. Each only records what it was
// given, as parse_command_line spells it; the values are checked there, once, with the messages a
// host's users see too. "--flag=value" keeps a value that starts with '-' a value. Every flag is
// recorded when met (trigger_on_parse), not option by option, so
// `--dev --no-dev` ends in production mode as it does for a host.
void add_global_options(CLI::App& app, GlobalOptions& out) {
  std::vector<std::string>& flags = out.flags;
  for (const CommandLineFlag& f : command_line_flags()) {
    const std::string flag(f.name);
    const std::string names = f.alias.empty() ? flag : std::string(f.alias) + "," + flag;
    std::string help(f.help);
    if (f.name == "--no-dev")
      help +=
          " (the default for build; call, info, watch, repl, perfmon and memreport use dev "
          "mode unless given)";
    if (f.value.empty()) {
      const auto record = [&flags, flag](std::int64_t) { flags.push_back(flag); };
      app.add_flag_function(names, record, help)->trigger_on_parse();
    } else {
      const auto record = [&flags, flag](const std::string& v) { flags.push_back(flag + "=" + v); };
      app.add_option_function<std::string>(names, record, help)
          ->type_name(std::string(f.value))
          ->trigger_on_parse();
    }
  }
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
