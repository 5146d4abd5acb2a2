#include "cli/report_run.hpp"

#include <cstdio>

#include "cli/cli_runtime.hpp"
#include "cli/reload_line.hpp"
#include "cli/terminal.hpp"

namespace hotmod::cli {

ReportRun load_for_report(const GlobalOptions& global, const std::vector<std::string>& names) {
  ReportRun run;
  auto setup = setup_runtime(global, &run.exit_code, Failures::reported_by_command);
  if (!setup) return run;
  setup->options.dev_mode = !no_dev_given(global);
  setup->options.hot_reload = false;
  const std::string where = setup->where;
  auto runtime = std::make_unique<Runtime>(std::move(setup->options));

  const std::vector<ModuleInfo> modules = runtime->modules();
  if (std::string wrong = unknown_names(names, modules, where); !wrong.empty()) {
    run.exit_code = usage_error(wrong);
    return run;
  }
  std::vector<std::string> load = names;
  if (load.empty())
    for (const ModuleInfo& m : modules) load.push_back(m.name);
  const bool colour = colour_for(stderr);
  for (const std::string& name : load) {
    if (runtime->module(name)) continue;
    run.exit_code = kExitFailed;
    const std::optional<ReloadStats> failed = runtime->last_failure(name);
    const std::optional<ModuleInfo> info = runtime->info(name);
    if (failed && info)
      std::fprintf(stderr, "%s\n", reload_line(*failed, info->kind, "hotmod info", colour).c_str());
  }
  run.runtime = std::move(runtime);
  return run;
}

}  // namespace hotmod::cli
