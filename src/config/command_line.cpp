// The command-line layer: hotmod's own flags, taken out of the host's argv.
//
// Hand-written rather than CLI11: the host owns every other argument and
// parses them itself afterwards, so hotmod must recognise exactly its flags,
// leave everything else (unknown flags included) in order, and stop at "--".
#include <fmt/format.h>

#include <array>

#include "config/settings.hpp"
#include "config/text_values.hpp"
#include "hotmod/config.hpp"

namespace hotmod {
namespace {

// One table: parse_command_line matches it, command_line_flags() shows it,
// and each flag sets one of the settings every layer gives (settings.hpp).
struct FlagSpec {
  CommandLineFlag shown;
  config::SettingId setting;
  std::string_view fixed;  // the value a flag without one stands for ("--dev": "true")
};

using config::SettingId;

constexpr std::array kFlags{
    FlagSpec{{"--module-path", "-M", "DIR",
              "Folder to search for modules (repeatable; before hotmod.json's module_paths)"},
             SettingId::module_paths,
             ""},
    FlagSpec{{"--config", "", "FILE", "Project file to read instead of the nearest hotmod.json"},
             SettingId::config_file,
             ""},
    FlagSpec{{"--dev", "", "", "Dev mode: detailed logging, timings, stack traces"},
             SettingId::dev_mode,
             "true"},
    FlagSpec{{"--no-dev", "", "", "Production mode"}, SettingId::dev_mode, "false"},
    FlagSpec{
        {"--no-watch", "", "", "Do not watch files for changes"}, SettingId::hot_reload, "false"},
    FlagSpec{{"--log-level", "", "LEVEL", "trace, debug, info, warn or error"},
             SettingId::log_level,
             ""},
    FlagSpec{{"--debounce-ms", "", "N",
              "Quiet time after a change before reloading, in milliseconds (default 30); a file "
              "saved or linked is complete when closed and reloads at once"},
             SettingId::debounce,
             ""},
};

constexpr std::array<CommandLineFlag, kFlags.size()> shown_flags() {
  std::array<CommandLineFlag, kFlags.size()> out{};
  for (std::size_t i = 0; i < kFlags.size(); ++i) out[i] = kFlags[i].shown;
  return out;
}
constexpr std::array kShownFlags = shown_flags();

Error bad_flag(std::string_view flag, std::string_view problem) {
  std::string m(flag);
  m.append(": ").append(problem);
  return Error{Stage::config, Failure::invalid_config, std::move(m)};
}

// One argument split into the flag's name and its attached value, if any:
// "--log-level=debug", "-Mbuild/modules", "-M=build/modules".
struct Split {
  std::string_view name;
  std::optional<std::string_view> value;
};

Split split(std::string_view arg) {
  if (arg.starts_with("--")) {
    const std::size_t eq = arg.find('=');
    if (eq == std::string_view::npos) return {arg, std::nullopt};
    return {arg.substr(0, eq), arg.substr(eq + 1)};
  }
  if (arg.starts_with("-M") && arg.size() > 2)
    return {arg.substr(0, 2), arg.substr(arg[2] == '=' ? 3 : 2)};
  return {arg, std::nullopt};
}

// `typed` is the flag as given ("-M" or "--module-path"), for messages.
std::optional<Error> apply(const FlagSpec& spec, std::string_view typed, std::string_view value,
                           ConfigLayer& layer) {
  const std::string_view text = spec.fixed.empty() ? value : spec.fixed;
  if (config::read_setting(spec.setting, text, config::TextSource::flag, layer))
    return std::nullopt;
  const config::Setting& s = config::setting(spec.setting);
  return bad_flag(
      typed, fmt::format("{} is not {}; use {}", config::in_quotes(value), s.noun, s.accepted));
}

// A following flag means the value was forgotten: `--config --dev` is not a
// file named "--dev". A negative number is a (bad) value, reported as such.
bool looks_like_flag(std::string_view arg) {
  return arg.size() > 1 && arg[0] == '-' && !(arg[1] >= '0' && arg[1] <= '9');
}

const FlagSpec* find_flag(std::string_view name) {
  for (const auto& spec : kFlags)
    if (spec.shown.name == name || (!spec.shown.alias.empty() && spec.shown.alias == name))
      return &spec;
  return nullptr;
}

}  // namespace

std::span<const CommandLineFlag> command_line_flags() {
  return kShownFlags;
}

// `args` changes only on success, so a host that reports the error still
// has the arguments it was given.
Result<ConfigLayer> parse_command_line(std::vector<std::string>& args) {
  ConfigLayer layer;
  std::vector<std::string> rest;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--") {  // the end of flags: the rest is the host's, "--" included
      rest.insert(rest.end(), args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
      break;
    }
    const auto [name, attached] = split(args[i]);
    const FlagSpec* spec = find_flag(name);
    if (spec == nullptr) {
      rest.push_back(args[i]);
      continue;
    }
    std::string_view value;
    if (spec->shown.value.empty()) {
      if (attached) return bad_flag(name, fmt::format("takes no value; write {} alone", name));
    } else if (attached) {
      value = *attached;
    } else if (i + 1 < args.size() && !looks_like_flag(args[i + 1])) {
      value = args[++i];
    }
    if (!spec->shown.value.empty() && value.empty())
      return bad_flag(name, fmt::format("needs a value: {} {}", name, spec->shown.value));
    if (auto error = apply(*spec, name, value, layer)) return *error;
  }
  args = std::move(rest);
  return layer;
}

}  // namespace hotmod
