// hotmod: the command line. main() only wires the pieces: the global flags
// (global_options.cpp), one file per subcommand, and CLI11 for parsing.
// Exit codes: 0 done, 1 the work failed, 2 a usage or configuration error.
#include <CLI/CLI.hpp>

#include "cli/cmd_build.hpp"
#include "cli/global_options.hpp"
#include "cli/terminal.hpp"

namespace {

constexpr const char* kExamples = R"(Examples:
  hotmod -M build/modules build   compile every source module found there
  hotmod build physics render     compile two modules (hotmod.json names the folders)
  hotmod --config deploy/hotmod.json build
                                  read another project file
  HOTMOD_CACHE_DIR=/srv/hotmod-cache hotmod build
                                  fill the cache a production host loads from

Settings come from these flags, then HOTMOD_* variables, then hotmod.json (the
nearest one from the current folder up), then defaults.)";

}  // namespace

int main(int argc, char** argv) {
  using namespace hotmod::cli;
  CLI::App app("hotmod: hot reload for C++ applications", "hotmod");
  app.set_version_flag("--version", "hotmod " HOTMOD_VERSION);
  app.footer(kExamples);
  app.require_subcommand(1);
  // Global flags are also taken after the subcommand: `hotmod build -M mods`.
  app.fallthrough();

  GlobalOptions global;
  add_global_options(app, global);
  BuildArgs build_args;
  CLI::App* build = add_build_command(app, build_args);

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& done) {  // --help, --version
    return app.exit(done);
  } catch (const CLI::ParseError& e) {
    // CLI11 says "A subcommand is required" for both a missing and a
    // mistyped command; say which, and what the commands are.
    if (app.get_subcommands().empty() && e.get_name() == "RequiredError") {
      if (!app.remaining().empty())
        return usage_error("unknown command '" + app.remaining().front() + "'; commands: build");
      return usage_error("name a command, e.g. `hotmod build`; commands: build");
    }
    return usage_error(e.what());
  }
  if (build->parsed()) return run_build(global, build_args);
  return kExitUsage;  // require_subcommand(1) makes this unreachable
}
