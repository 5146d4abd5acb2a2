#include "cli/cmd_perfmon.hpp"

#include <cstdio>

#include "cli/render_reports.hpp"
#include "cli/report_run.hpp"
#include "cli/terminal.hpp"

namespace hotmod::cli {

CLI::App* add_perfmon_command(CLI::App& app, PerfmonArgs& args) {
  CLI::App* perfmon =
      app.add_subcommand("perfmon", "Load modules and report load times, scans and slow modules");
  perfmon->add_option("NAMES", args.names, "Modules to load (default: every module found)")
      ->type_name("NAME");
  perfmon->add_flag("--json", args.json, "Print the report as JSON (times in milliseconds)");
  perfmon->footer(
      "Runs in dev mode (per-stage timings) unless --no-dev. Thresholds for the\n"
      "SLOW mark: hotmod.json \"performance\": {\"slow_ms\": {...}}. The REPL's\n"
      ".perfmon shows the same report for the session's own reloads.");
  return perfmon;
}

int run_perfmon(const GlobalOptions& global, const PerfmonArgs& args) {
  ReportRun run = load_for_report(global, args.names);
  if (!run.runtime) return run.exit_code;
  const PerformanceReport report = run.runtime->performance_report();
  if (args.json)
    std::printf("%s\n", to_json(report).dump(2).c_str());
  else
    std::fputs(render_performance(report, table_style_for(stdout), unicode_for(stdout)).c_str(),
               stdout);
  return run.exit_code;
}

}  // namespace hotmod::cli
