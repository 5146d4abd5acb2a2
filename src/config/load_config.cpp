// load_config: reads every layer and merges them into RuntimeOptions.
//
// Single settings take the highest layer that gives them — command line,
// environment, project file, the host's defaults, hotmod's default — and
// record that layer in LoadedConfig::origin (layer_pick.hpp). Module paths
// are the exception: every layer's folders are searched, in the order the
// header documents. The `cxx` section merges in merge_cxx.cpp.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <system_error>

#include "config/environment.hpp"
#include "config/layer_pick.hpp"
#include "config/locate.hpp"
#include "config/merge_cxx.hpp"
#include "config/project_file.hpp"
#include "config/settings.hpp"
#include "hotmod/config.hpp"

namespace hotmod {
namespace fs = std::filesystem;
namespace {

using config::file_origin;
using config::SettingId;
using config::variable_origin;

std::string_view name(SettingId id) {
  return config::setting(id).name;
}
using config::kHost;
using config::pick;

// The settings every layer can give.
void merge_layers(const ConfigInputs& in, const ConfigLayer& env, const config::FileSettings& file,
                  LoadedConfig& out) {
  const ConfigLayer& cli = in.command_line;
  const ConfigLayer& def = in.defaults;
  const ConfigLayer& fl = file.layer;
  RuntimeOptions& o = out.options;
  const std::string cli_dev = cli.dev_mode.value_or(false) ? "--dev" : "--no-dev";
  o.dev_mode = pick<bool>(name(SettingId::dev_mode), false,
                          {{cli.dev_mode, fmt::format("command line ({})", cli_dev)},
                           {env.dev_mode, variable_origin(SettingId::dev_mode)},
                           {fl.dev_mode, file_origin(file, name(SettingId::dev_mode))},
                           {def.dev_mode, std::string(kHost)}},
                          out);
  // There is only --no-watch; a host may still set true programmatically.
  const bool cli_watch = cli.hot_reload.value_or(false);
  o.hot_reload =
      pick<bool>(name(SettingId::hot_reload), true,
                 {{cli.hot_reload, cli_watch ? "command line" : "command line (--no-watch)"},
                  {env.hot_reload, variable_origin(SettingId::hot_reload)},
                  {fl.hot_reload, file_origin(file, name(SettingId::hot_reload))},
                  {def.hot_reload, std::string(kHost)}},
                 out);
  // Unset everywhere, the level follows the mode: dev mode is for watching
  // reloads happen, production for quiet.
  const LogLevel mode_level = o.dev_mode ? LogLevel::debug : LogLevel::info;
  o.log_level = pick<LogLevel>(name(SettingId::log_level), mode_level,
                               {{cli.log_level, "command line (--log-level)"},
                                {env.log_level, variable_origin(SettingId::log_level)},
                                {fl.log_level, file_origin(file, name(SettingId::log_level))},
                                {def.log_level, std::string(kHost)}},
                               out);
  if (o.dev_mode && out.origin[std::string(name(SettingId::log_level))] == "default")
    out.origin[std::string(name(SettingId::log_level))] = "default (dev mode)";
  o.debounce =
      pick<std::chrono::milliseconds>(name(SettingId::debounce), o.debounce,
                                      {{cli.debounce, "command line (--debounce-ms)"},
                                       {env.debounce, variable_origin(SettingId::debounce)},
                                       {fl.debounce, file_origin(file, name(SettingId::debounce))},
                                       {def.debounce, std::string(kHost)}},
                                      out);
  o.watch_backend = pick<WatchBackend>("watch.backend", o.watch_backend,
                                       {{cli.watch_backend, "command line"},
                                        {env.watch_backend, "environment"},
                                        {fl.watch_backend, file_origin(file, "watch.backend")},
                                        {def.watch_backend, std::string(kHost)}},
                                       out);
  o.poll_interval = pick<std::chrono::milliseconds>(
      "watch.poll_interval_ms", o.poll_interval,
      {{cli.poll_interval, "command line"},
       {env.poll_interval, "environment"},
       {fl.poll_interval, file_origin(file, "watch.poll_interval_ms")},
       {def.poll_interval, std::string(kHost)}},
      out);
}

// The settings only the project file gives.
void merge_file_only(config::FileSettings& file, LoadedConfig& out) {
  RuntimeOptions& o = out.options;
  o.commit =
      pick<CommitPolicy>("commit", o.commit, {{file.commit, file_origin(file, "commit")}}, out);
  o.contain_crashes = pick<RuntimeOptions::Containment>(
      "contain_crashes", o.contain_crashes,
      {{file.contain_crashes, file_origin(file, "contain_crashes")}}, out);
  o.versions_dir = pick<fs::path>("versions_dir", o.versions_dir,
                                  {{file.versions_dir, file_origin(file, "versions_dir")}}, out);
  o.state_dir = pick<fs::path>("state_dir", o.state_dir,
                               {{file.state_dir, file_origin(file, "state_dir")}}, out);
  o.capabilities =
      pick<std::vector<std::string>>("capabilities", o.capabilities,
                                     {{file.capabilities, file_origin(file, "capabilities")}}, out);
  for (auto& [module, grants] : file.module_capabilities) {
    out.origin["capabilities." + module] = file_origin(file, "capabilities");
    o.module_capabilities[module] = std::move(grants);
  }
  for (const auto& [kind, ms] : file.slow_ms) {
    const std::optional<ModuleKind> module_kind = parse_module_kind(kind);
    double* into = !module_kind                          ? &o.slow.scan_ms
                   : *module_kind == ModuleKind::library ? &o.slow.library_ms
                   : *module_kind == ModuleKind::source  ? &o.slow.source_ms
                                                         : &o.slow.script_ms;
    *into = ms;
    const std::string key = "performance.slow_ms." + kind;
    out.origin[key] = file_origin(file, key);
  }
  for (const auto& [name, value] : file.limits) {
    RuntimeOptions::Limits& l = o.limits;
    if (name == "build_s")
      l.build = std::chrono::seconds(value);
    else if (name == "compile_s")
      l.compile = std::chrono::seconds(value);
    else if (name == "hook_s")
      l.hook = std::chrono::seconds(value);
    else if (name == "pinned_call_s")
      l.pinned_call = std::chrono::seconds(value);
    else if (name == "retired_code_s")
      l.retired_code = std::chrono::seconds(value);
    else if (name == "retired_code_mb")
      l.retired_code_mb = value;
    else if (name == "script_instructions")
      l.script_instructions = value;
    else
      l.script_memory_mb = value;
    const std::string key = fmt::format("limits.{}", name);
    out.origin[key] = file_origin(file, key);
  }
  o.trace_file =
      pick<fs::path>("trace", o.trace_file, {{file.trace_file, file_origin(file, "trace")}}, out);
  o.watch_exclude = std::move(file.watch_exclude);
  o.module_config = std::move(file.module_config);
  o.builds = std::move(file.builds);
}

// Absolute and without a trailing '/', so the same folder written twice is
// recognised (lexically: symlinks are not followed, that is discovery's job).
fs::path normal(const fs::path& cwd, const fs::path& p) {
  fs::path n = (cwd / p).lexically_normal();
  if (!n.has_filename() && n.has_relative_path()) n = n.parent_path();
  return n;
}

// Every layer's folders: command line, project file, environment, defaults.
// The project file comes before the environment on purpose: it describes
// this project, while a HOTMOD_MODULE_PATH is usually set once for a shell.
void merge_module_paths(const ConfigInputs& in, const ConfigLayer& env,
                        const config::FileSettings& file, const fs::path& cwd, LoadedConfig& out) {
  std::vector<fs::path>& paths = out.options.module_paths;
  std::string origin;
  const auto add = [&](const std::vector<fs::path>& layer, const std::string& name) {
    if (layer.empty()) return;
    origin.append(origin.empty() ? "" : ", ").append(name);
    for (const fs::path& p : layer) {
      fs::path n = normal(cwd, p);
      if (std::find(paths.begin(), paths.end(), n) == paths.end()) paths.push_back(std::move(n));
    }
  };
  add(in.command_line.module_paths, "command line (-M)");
  add(file.layer.module_paths, file_origin(file, name(SettingId::module_paths)));
  add(env.module_paths, variable_origin(SettingId::module_paths));
  add(in.defaults.module_paths, std::string(kHost));
  out.origin[std::string(name(SettingId::module_paths))] = origin.empty() ? "default" : origin;
}

Result<fs::path> current_folder(const ConfigInputs& in) {
  std::error_code ec;
  fs::path here = fs::current_path(ec);
  if (ec && (in.cwd.empty() || in.cwd.is_relative()))
    return Error{Stage::config, Failure::io_error,
                 fmt::format("cannot tell the current folder ({}); was it removed? cd into an "
                             "existing folder",
                             ec.message())};
  return normal(here, in.cwd);
}

}  // namespace

Result<LoadedConfig> load_config(const ConfigInputs& inputs) {
  const config::Getenv getenv =
      inputs.getenv ? inputs.getenv : [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    return v != nullptr ? std::optional<std::string>(v) : std::nullopt;
  };
  auto cwd = current_folder(inputs);
  if (!cwd) return cwd.error();
  auto env = config::read_environment(getenv);
  if (!env) return env.error();
  LoadedConfig out;
  std::optional<fs::path> home;
  if (std::optional<std::string> h = getenv("HOME"); h && !h->empty()) home = fs::path(*h);
  auto located = config::locate_project_file(inputs, env->layer, *cwd, home, &out.warnings);
  if (!located) return located.error();

  config::FileSettings file;
  if (*located) {
    auto read = config::read_project_file(**located);
    if (!read) return read.error();
    file = std::move(read->settings);
    out.warnings.insert(out.warnings.end(), read->warnings.begin(), read->warnings.end());
    out.file = *located;
  }
  merge_layers(inputs, env->layer, file, out);
  merge_module_paths(inputs, env->layer, file, *cwd, out);
  merge_file_only(file, out);
  config::merge_cxx(*env, file, out.file, *cwd, out);
  out.options.config_warnings = out.warnings;
  return out;
}

}  // namespace hotmod
