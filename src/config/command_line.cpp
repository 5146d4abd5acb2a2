// The command-line layer: hotmod's own flags, taken out of the host's argv.
//
// Hand-written rather than CLI11: the host owns every other argument and
// parses them itself afterwards, so hotmod must recognise exactly its flags,
// leave everything else (unknown flags included) in order, and stop at "--".
#include <array>

#include "config/text_values.hpp"
#include "hotmod/config.hpp"

namespace hotmod {
namespace {

enum class Flag { dev, no_dev, no_watch, config, module_path, log_level, debounce };

// One table: parse_command_line matches it, command_line_flags() shows it.
struct FlagSpec {
  CommandLineFlag shown;
  Flag flag;
};

constexpr std::array kFlags{
    FlagSpec{{"--module-path", "-M", "DIR",
              "Folder to search for modules (repeatable; before hotmod.json's module_paths)"},
             Flag::module_path},
    FlagSpec{{"--config", "", "FILE", "Project file to read instead of the nearest hotmod.json"},
             Flag::config},
    FlagSpec{{"--dev", "", "", "Dev mode: detailed logging, timings, stack traces"}, Flag::dev},
    FlagSpec{{"--no-dev", "", "", "Production mode"}, Flag::no_dev},
    FlagSpec{{"--no-watch", "", "", "Do not watch files for changes"}, Flag::no_watch},
    FlagSpec{{"--log-level", "", "LEVEL", "trace, debug, info, warn or error"}, Flag::log_level},
    FlagSpec{{"--debounce-ms", "", "N",
              "Quiet time after a change before reloading, in milliseconds (default 30)"},
             Flag::debounce},
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
  switch (spec.flag) {
    case Flag::dev:
      layer.dev_mode = true;
      break;
    case Flag::no_dev:
      layer.dev_mode = false;
      break;
    case Flag::no_watch:
      layer.hot_reload = false;
      break;
    case Flag::config:
      layer.config_file = std::filesystem::path(value);
      break;
    case Flag::module_path:
      layer.module_paths.emplace_back(value);
      break;
    case Flag::log_level:
      layer.log_level = parse_log_level(value);
      if (!layer.log_level)
        return bad_flag(typed, config::in_quotes(value) + " is not a log level; use " +
                                   std::string(config::kLogLevels));
      break;
    case Flag::debounce:
      layer.debounce = config::parse_millis(value);
      if (!layer.debounce)
        return bad_flag(typed, config::in_quotes(value) +
                                   " is not a number of milliseconds; use a whole number "
                                   "from 0 to " +
                                   std::to_string(config::kMaxMillis) + ", e.g. 30");
      break;
  }
  return std::nullopt;
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
      if (attached) return bad_flag(name, "takes no value; write " + std::string(name) + " alone");
    } else if (attached) {
      value = *attached;
    } else if (i + 1 < args.size() && !looks_like_flag(args[i + 1])) {
      value = args[++i];
    }
    if (!spec->shown.value.empty() && value.empty())
      return bad_flag(name,
                      "needs a value: " + std::string(name) + " " + std::string(spec->shown.value));
    if (auto error = apply(*spec, name, value, layer)) return *error;
  }
  args = std::move(rest);
  return layer;
}

}  // namespace hotmod
