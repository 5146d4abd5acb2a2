#include "cli/cmd_info.hpp"

#include <cstdio>

#include "cli/cli_runtime.hpp"
#include "cli/module_json.hpp"
#include "cli/render_info.hpp"
#include "cli/terminal.hpp"

namespace hotmod::cli {
namespace {

void print_json(const Value& v) {
  std::printf("%s\n", v.dump(2, ' ', false, Value::error_handler_t::replace).c_str());
}

}  // namespace

CLI::App* add_info_command(CLI::App& app, InfoArgs& args) {
  CLI::App* info = app.add_subcommand("info", "Show one module's metadata (loads it)");
  info->add_option("NAME", args.name, "The module")->required();
  info->add_flag("--json", args.json, "Print one JSON object");
  info->footer(
      "Name, kind, path, version, description, functions with signature and doc,\n"
      "interfaces, capabilities, state type and size, imports and dependents,\n"
      "reload count. Loading runs the module's on_load. Runs in dev mode (source\n"
      "modules are compiled as needed) unless --no-dev.");
  return info;
}

int run_info(const GlobalOptions& global, const InfoArgs& args) {
  int exit_code = kExitOk;
  auto setup = setup_runtime(global, &exit_code, Failures::reported_by_command);
  if (!setup) return exit_code;
  setup->options.dev_mode = !no_dev_given(global);  // compiles source modules
  setup->options.hot_reload = false;
  Runtime runtime(std::move(setup->options));

  Result<Module> module = runtime.module(args.name);
  std::optional<ModuleInfo> info = runtime.info(args.name);
  if (module) {
    if (args.json)
      print_json(info_json(*info));
    else
      std::fputs(render_info(*info).c_str(), stdout);
    return kExitOk;
  }
  if (!info) {  // unknown: the runtime's message has the nearest name
    print_error(module.error().message);
    return kExitFailed;
  }
  const std::optional<ReloadStats> failed = runtime.last_failure(args.name);
  if (args.json) {
    Value out = info_json(*info);
    out["error"] = module.error().message;
    if (failed) out["diagnostics"] = failed->diagnostics;
    print_json(out);
  } else {
    std::fputs(render_info(*info).c_str(), stdout);
    std::fflush(stdout);
    if (failed && !failed->diagnostics.empty()) {
      std::string text = failed->diagnostics;
      if (text.back() != '\n') text += '\n';
      std::fputs(text.c_str(), stderr);
    }
  }
  print_error(module.error().message);
  return kExitFailed;
}

}  // namespace hotmod::cli
