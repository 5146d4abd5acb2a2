#include "cli/cmd_watch.hpp"

#include <signal.h>

#include <cstdio>
#include <mutex>

#include "cli/cli_runtime.hpp"
#include "cli/reload_line.hpp"
#include "cli/terminal.hpp"
#include "hotmod/runtime.hpp"

namespace hotmod::cli {
namespace {

// SIGINT and SIGTERM, blocked in every thread (the runtime's threads
// inherit the mask), so only sigwait() in the main thread takes them.
sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

CLI::App* add_watch_command(CLI::App& app, WatchArgs& args) {
  CLI::App* watch = app.add_subcommand(
      "watch", "Load modules and reload them whenever their files change, until Ctrl-C");
  watch->add_option("NAMES", args.names, "Modules to load (default: every module found)")
      ->type_name("NAME");
  watch->footer(
      "Runs in dev mode with the watcher on (--no-dev and --no-watch do not apply).\n"
      "Prints one line per load or reload attempt:\n"
      "  [OK] Module 'math' reloaded (library, 4.1 ms)\n"
      "  [FAILED] Module 'net' kept at version 3: build error (2 errors), see hotmod info net\n"
      "Library modules with a build rule in hotmod.json (modules.NAME.build and\n"
      "sources) are rebuilt when their sources change. Ctrl-C stops it (exit 0).");
  return watch;
}

int run_watch(const GlobalOptions& global, const WatchArgs& args) {
  int exit_code = kExitOk;
  auto setup = setup_runtime(global, &exit_code);
  if (!setup) return exit_code;
  setup->options.dev_mode = true;
  setup->options.hot_reload = true;
  const std::string where = setup->where;

  const sigset_t signals = stop_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // Declared before the runtime, which may still call back while it ends.
  const bool colour = colour_for(stdout);
  std::mutex out_mu;  // lines come from this thread and the watcher's
  Runtime runtime(std::move(setup->options));
  const std::vector<ModuleInfo> modules = runtime.modules();
  if (std::string wrong = unknown_names(args.names, modules, where); !wrong.empty())
    return usage_error(wrong);

  std::vector<std::string> names = args.names;
  if (names.empty())
    for (const ModuleInfo& m : modules) names.push_back(m.name);
  runtime.on_reload([&](const ReloadStats& stats) {
    const std::optional<ModuleInfo> info = runtime.info(stats.module);
    const ModuleKind kind = info ? info->kind : ModuleKind::library;
    const std::string line = reload_line(stats, kind, "hotmod info", colour);
    std::lock_guard lock(out_mu);
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  });
  for (const std::string& name : names) (void)runtime.module(name);

  const std::optional<WatchBackend> backend = runtime.watching();
  if (!backend) {
    print_error("the file watcher did not start; see the warnings above");
    return kExitFailed;
  }
  {
    std::lock_guard lock(out_mu);
    std::printf("watching %zu module%s in %s (%s); Ctrl-C stops\n", names.size(),
                names.size() == 1 ? "" : "s", where.c_str(), to_string(*backend).data());
    std::fflush(stdout);
  }
  int signal = 0;
  while (sigwait(&signals, &signal) != 0) {
  }
  return kExitOk;
}

}  // namespace hotmod::cli
