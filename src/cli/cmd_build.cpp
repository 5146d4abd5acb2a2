#include "cli/cmd_build.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "cli/cli_runtime.hpp"
#include "cli/terminal.hpp"
#include "hotmod/runtime.hpp"
#include "text/suggest.hpp"

namespace hotmod::cli {
namespace {

std::vector<std::string> source_modules(const std::vector<ModuleInfo>& modules) {
  std::vector<std::string> out;
  for (const auto& m : modules)
    if (m.kind == ModuleKind::source) out.push_back(m.name);
  std::sort(out.begin(), out.end());
  return out;
}

// What is wrong with building `name`, or "" when it is a source module.
std::string problem_with(const std::string& name, const std::vector<ModuleInfo>& modules,
                         const std::string& where) {
  const auto it = std::find_if(modules.begin(), modules.end(),
                               [&](const ModuleInfo& m) { return m.name == name; });
  if (it == modules.end()) {
    const std::vector<std::string> sources = source_modules(modules);
    const std::string m = fmt::format("no module named '{}' in {}", name, where);
    std::vector<std::string> all;
    for (const auto& info : modules) all.push_back(info.name);
    if (std::string near = text::did_you_mean(name, all); !near.empty())
      return fmt::format("{}; did you mean '{}'?", m, near);
    if (sources.empty()) return fmt::format("{}; it holds no source modules (name.cpp)", m);
    return fmt::format("{}; source modules there: {}", m, joined(sources));
  }
  if (it->kind == ModuleKind::source) return {};
  const char* what_to_do =
      it->kind == ModuleKind::library
          ? "build it with your own build, hotmod build compiles name.cpp modules"
          : "it runs as it is written, there is nothing to build";
  return fmt::format("'{}' is a {} module ({}), not a source module; {}", name, to_string(it->kind),
                     it->path.string(), what_to_do);
}

void report_success(const ReloadStats& stats, bool colour) {
  // A cache hit runs no compiler, so it spends no time in the build stage.
  if (stats.stages.build.count() > 0) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(stats.stages.build);
    std::printf("%s '%s' in %lld ms\n", paint("built", Colour::green, colour).c_str(),
                stats.module.c_str(), static_cast<long long>(ms.count()));
  } else {
    std::printf("'%s' is up to date (cached)\n", stats.module.c_str());
  }
}

void report_failure(const std::string& name, const ReloadStats& stats) {
  std::string out = stats.diagnostics;
  if (!out.empty() && out.back() != '\n') out += '\n';
  std::fputs(out.c_str(), stderr);
  print_error(stats.error.empty() ? fmt::format("building '{}' failed", name) : stats.error);
}

}  // namespace

CLI::App* add_build_command(CLI::App& app, BuildArgs& args) {
  CLI::App* build = app.add_subcommand(
      "build", "Compile source modules into the build cache, without loading them");
  build->add_option("NAMES", args.names, "Modules to build (default: every source module)")
      ->type_name("NAME");
  build->footer(
      "Works in dev and production mode alike: production mode loads source modules only\n"
      "from the cache this fills. The cache is cxx.cache_dir in hotmod.json, or\n"
      "HOTMOD_CACHE_DIR, else ~/.cache/hotmod. The global flags (-M, --config, --dev, ...)\n"
      "may come before or after 'build': see hotmod --help.");
  return build;
}

int run_build(const GlobalOptions& global, const BuildArgs& args) {
  auto config = load_options(global);
  if (!config) {
    print_error(config.error().message);
    return kExitUsage;
  }
  RuntimeOptions options = std::move(config->options);
  // One build and out: nothing to watch.
  options.hot_reload = false;
  if (options.module_paths.empty())
    return usage_error(
        "no module folders to look in; pass -M DIR, or set \"module_paths\" in "
        "hotmod.json");
  const std::string where = folders(options);
  Runtime runtime(std::move(options));

  const std::vector<ModuleInfo> modules = runtime.modules();
  std::vector<std::string> names = args.names;
  if (names.empty()) {
    names = source_modules(modules);
    if (names.empty()) {
      std::printf("nothing to build: no source modules (name.cpp) in %s\n", where.c_str());
      return kExitOk;
    }
  }
  // Every wrong name at once, before any compile starts.
  bool wrong = false;
  for (const std::string& name : names) {
    if (std::string problem = problem_with(name, modules, where); !problem.empty()) {
      print_error(problem);
      wrong = true;
    }
  }
  if (wrong) return kExitUsage;

  const bool colour = colour_for(stdout);
  std::size_t failed = 0;
  for (const std::string& name : names) {
    const ReloadStats stats = runtime.build(name);
    if (stats.success) {
      report_success(stats, colour);
    } else {
      ++failed;
      report_failure(name, stats);
    }
    std::fflush(stdout);  // in order with stderr when both go to one log
  }
  if (names.size() > 1)
    std::printf("%zu modules: %zu ready, %zu failed\n", names.size(), names.size() - failed,
                failed);
  return failed > 0 ? kExitFailed : kExitOk;
}

}  // namespace hotmod::cli
