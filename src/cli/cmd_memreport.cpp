#include "cli/cmd_memreport.hpp"

#include <cstdio>

#include "cli/render_reports.hpp"
#include "cli/report_run.hpp"
#include "cli/terminal.hpp"

namespace hotmod::cli {

CLI::App* add_memreport_command(CLI::App& app, MemreportArgs& args) {
  CLI::App* memreport =
      app.add_subcommand("memreport", "Load modules and report the memory each one holds");
  memreport->add_option("NAMES", args.names, "Modules to load (default: every module found)")
      ->type_name("NAME");
  memreport->add_flag("--json", args.json, "Print the report as JSON (sizes in bytes)");
  memreport->footer(
      "Image (mapped code and data), heap (what the module's code allocated and\n"
      "still holds; counted in dev mode, the default here, not with --no-dev) and\n"
      "state, per module and per kind; the process's RSS and available memory.");
  return memreport;
}

int run_memreport(const GlobalOptions& global, const MemreportArgs& args) {
  ReportRun run = load_for_report(global, args.names);
  if (!run.runtime) return run.exit_code;
  const MemoryReport report = run.runtime->memory_report();
  if (args.json)
    std::printf("%s\n", to_json(report).dump(2).c_str());
  else
    std::fputs(render_memory(report, table_style_for(stdout)).c_str(), stdout);
  return run.exit_code;
}

}  // namespace hotmod::cli
