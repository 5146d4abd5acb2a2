// hotmod: the command line. main() only wires the pieces: the global flags
// (global_options.cpp), one file per subcommand, and CLI11 for parsing.
// Exit codes: 0 done, 1 the work failed, 2 a usage or configuration error.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/cmd_build.hpp"
#include "cli/cmd_call.hpp"
#include "cli/cmd_doctor.hpp"
#include "cli/cmd_info.hpp"
#include "cli/cmd_memreport.hpp"
#include "cli/cmd_modules.hpp"
#include "cli/cmd_new.hpp"
#include "cli/cmd_perfmon.hpp"
#include "cli/cmd_repl.hpp"
#include "cli/cmd_watch.hpp"
#include "cli/global_options.hpp"
#include "cli/terminal.hpp"
#include "text/suggest.hpp"

namespace {

constexpr const char* kCommands =
    "build, call, doctor, info, memreport, modules, new, perfmon, repl, watch";

constexpr const char* kExamples = R"(Examples:
  hotmod -M build/modules modules
      list the modules there, loading none
  hotmod -M mods call math.add 2 3
      call a function; arguments and result are JSON
  hotmod -M mods info math --json
      one module's functions, state, imports
  hotmod -M mods watch
      load every module, print each reload until Ctrl-C
  hotmod -M mods repl
      a Lua prompt with the modules as globals (.help lists its commands)
  printf 'print(math.add(2, 3))\n' | hotmod -M mods repl
      the same from a script
  hotmod -M mods new physics --kind source
      write mods/physics.cpp, ready to call and edit
  hotmod -M build/modules build
      compile every source module found there into the cache
  hotmod -M mods perfmon --json
      load times and slow modules, as JSON
  hotmod -M mods memreport
      memory per module and per kind
  hotmod -M mods doctor
      check compiler, linker, cache, inotify limits, config, module folders
  HOTMOD_CACHE_DIR=/srv/hotmod-cache hotmod --config deploy/hotmod.json build
      fill the cache a production host loads from, with another project file

Settings come from these flags, then HOTMOD_* variables, then hotmod.json (the
nearest one from the current folder up), then defaults. `hotmod COMMAND --help`
tells more about each command.)";

}  // namespace

int main(int argc, char** argv) {
  using namespace hotmod::cli;
  CLI::App app("hotmod: hot reload for C++ applications", "hotmod");
  app.set_version_flag("--version", "hotmod " HOTMOD_VERSION);
  app.footer(kExamples);
  app.require_subcommand(1);
  // Global flags are also taken after the subcommand: `hotmod build -M mods`.
  app.fallthrough();
  // What no option takes is `hotmod call`'s JSON arguments, as written;
  // any other command refuses it below, as CLI11 would.
  app.allow_extras();

  GlobalOptions global;
  add_global_options(app, global);
  BuildArgs build_args;
  CLI::App* build = add_build_command(app, build_args);
  CallArgs call_args;
  CLI::App* call = add_call_command(app, call_args);
  CLI::App* doctor = add_doctor_command(app);
  InfoArgs info_args;
  CLI::App* info = add_info_command(app, info_args);
  MemreportArgs memreport_args;
  CLI::App* memreport = add_memreport_command(app, memreport_args);
  ModulesArgs modules_args;
  CLI::App* modules = add_modules_command(app, modules_args);
  NewArgs new_args;
  CLI::App* new_module = add_new_command(app, new_args);
  PerfmonArgs perfmon_args;
  CLI::App* perfmon = add_perfmon_command(app, perfmon_args);
  CLI::App* repl = add_repl_command(app);
  WatchArgs watch_args;
  CLI::App* watch = add_watch_command(app, watch_args);

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& done) {  // --help, --version
    return app.exit(done);
  } catch (const CLI::ParseError& e) {
    // CLI11 says "A subcommand is required" for both a missing and a
    // mistyped command; say which, and what the commands are.
    if (app.get_subcommands().empty() && e.get_name() == "RequiredError") {
      if (!app.remaining().empty()) {
        const std::string typed = app.remaining().front();
        std::vector<std::string> names;
        for (const CLI::App* c : app.get_subcommands({})) names.push_back(c->get_name());
        const std::string near = hotmod::text::did_you_mean(typed, names);
        const std::string hint = near.empty() ? "" : fmt::format("; did you mean '{}'?", near);
        return usage_error(
            fmt::format("unknown command '{}'{}; commands: {}", typed, hint, kCommands));
      }
      return usage_error(
          fmt::format("name a command, e.g. `hotmod modules`; commands: {}", kCommands));
    }
    return usage_error(e.what());
  }
  if (call->parsed()) {
    call_args.args = app.remaining();
    return run_call(global, call_args);
  }
  if (!app.remaining().empty()) return usage_error(CLI::ExtrasError(app.remaining()).what());
  if (build->parsed()) return run_build(global, build_args);
  if (doctor->parsed()) return run_doctor(global);
  if (info->parsed()) return run_info(global, info_args);
  if (memreport->parsed()) return run_memreport(global, memreport_args);
  if (modules->parsed()) return run_modules(global, modules_args);
  if (new_module->parsed()) return run_new(global, new_args);
  if (perfmon->parsed()) return run_perfmon(global, perfmon_args);
  if (repl->parsed()) return run_repl(global);
  if (watch->parsed()) return run_watch(global, watch_args);
  return kExitUsage;  // require_subcommand(1) makes this unreachable
}
