#include "cli/cli_runtime.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include "cli/terminal.hpp"
#include "text/suggest.hpp"

namespace hotmod::cli {
namespace fs = std::filesystem;

std::optional<CommandSetup> setup_runtime(const GlobalOptions& global, int* exit_code,
                                          Failures failures) {
  auto config = load_options(global);
  if (!config) {
    print_error(config.error().message);
    *exit_code = kExitUsage;
    return std::nullopt;
  }
  CommandSetup setup;
  setup.options = std::move(config->options);
  setup.file = config->file;
  if (setup.options.module_paths.empty()) {
    *exit_code = usage_error(
        "no module folders to look in; pass -M DIR, or set \"module_paths\" in hotmod.json");
    return std::nullopt;
  }
  // "default" or "default (dev mode)": nobody asked for a level.
  setup.log_level_given = config->origin["log_level"].rfind("default", 0) != 0;
  if (!setup.log_level_given) {
    setup.options.log_level = LogLevel::warn;
    if (failures == Failures::reported_by_command)
      setup.options.log_sink = [](LogLevel level, std::string_view text) {
        if (level == LogLevel::error) return;
        std::fprintf(stderr, "hotmod: %s: %.*s\n", level == LogLevel::warn ? "warning" : "info",
                     static_cast<int>(text.size()), text.data());
      };
  }
  setup.where = folders(setup.options);
  return setup;
}

bool no_dev_given(const GlobalOptions& global) {
  bool no_dev = false;
  for (const std::string& flag : global.flags) {
    if (flag == "--dev") no_dev = false;
    if (flag == "--no-dev") no_dev = true;
  }
  return no_dev;
}

std::string unknown_names(const std::vector<std::string>& names,
                          const std::vector<ModuleInfo>& modules, const std::string& where) {
  std::vector<std::string> known;
  for (const ModuleInfo& m : modules) known.push_back(m.name);
  std::string out;
  for (const std::string& name : names) {
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    std::string line = fmt::format("no module named '{}' in {}", name, where);
    if (std::string near = text::did_you_mean(name, known); !near.empty())
      line += fmt::format("; did you mean '{}'?", near);
    if (!out.empty()) out += '\n';
    out += line;
  }
  return out;
}

bool is_below(const fs::path& path, const fs::path& folder) {
  const fs::path rel = path.lexically_relative(folder);
  return !rel.empty() && rel != "." && *rel.begin() != "..";
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out.append(out.empty() ? "" : ", ").append(item);
  return out;
}

std::string folders(const RuntimeOptions& options) {
  std::vector<std::string> paths;
  for (const auto& p : options.module_paths) paths.push_back(p.string());
  return joined(paths);
}

std::string display_path(const fs::path& p) {
  std::error_code ec;
  const fs::path cwd = fs::current_path(ec);
  if (ec || p.is_relative()) return p.string();
  const fs::path rel = p.lexically_relative(cwd);
  if (rel.empty() || *rel.begin() == "..") return p.string();
  return rel.string();
}

}  // namespace hotmod::cli
