#include "cli/cmd_modules.hpp"

#include <cstdio>

#include "cli/cli_runtime.hpp"
#include "cli/module_json.hpp"
#include "cli/render_modules.hpp"
#include "cli/terminal.hpp"

namespace hotmod::cli {

CLI::App* add_modules_command(CLI::App& app, ModulesArgs& args) {
  CLI::App* modules =
      app.add_subcommand("modules", "List the modules in the module folders, without loading any");
  modules->add_flag("--json", args.json,
                    "Print a JSON array of {name, kind, version, path, loaded}");
  modules->footer(
      "Grouped by kind (library, source, script). The version of a library module\n"
      "is read from its file without opening it; source and script modules show\n"
      "theirs once loaded (hotmod info NAME).");
  return modules;
}

int run_modules(const GlobalOptions& global, const ModulesArgs& args) {
  int exit_code = kExitOk;
  auto setup = setup_runtime(global, &exit_code);
  if (!setup) return exit_code;
  setup->options.hot_reload = false;
  const std::string where = setup->where;
  Runtime runtime(std::move(setup->options));
  std::vector<ModuleInfo> modules = runtime.modules();

  if (args.json) {
    sort_by_kind(modules);
    Value list = Value::array();
    for (const ModuleInfo& m : modules) list.push_back(listing_json(m));
    std::printf("%s\n", list.dump(2, ' ', false, Value::error_handler_t::replace).c_str());
    return kExitOk;
  }
  if (modules.empty()) {
    std::printf("no modules in %s (library: name.so, source: name.cpp, script: name.lua)\n",
                where.c_str());
    return kExitOk;
  }
  std::fputs(render_listing(std::move(modules), table_style_for(stdout)).c_str(), stdout);
  return kExitOk;
}

}  // namespace hotmod::cli
