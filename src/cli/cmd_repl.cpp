#include "cli/cmd_repl.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

#include "cli/cli_runtime.hpp"
#include "cli/repl_notices.hpp"
#include "cli/repl_pipe_loop.hpp"
#include "cli/repl_session.hpp"
#include "cli/repl_terminal.hpp"
#include "cli/terminal.hpp"

namespace hotmod::cli {
namespace {

void write_to(std::FILE* stream, std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stream);
  std::fflush(stream);
}

void banner(Runtime& runtime, const std::string& where) {
  const std::size_t modules = runtime.modules().size();
  std::string mode = runtime.dev_mode() ? "dev mode" : "production mode";
  if (std::optional<WatchBackend> backend = runtime.watching())
    mode += fmt::format(", watching ({})", to_string(*backend));
  std::printf("hotmod %s: %zu module%s in %s; %s.\n.help lists the commands, Ctrl-D leaves.\n",
              HOTMOD_VERSION, modules, modules == 1 ? "" : "s", where.c_str(), mode.c_str());
  std::fflush(stdout);
}

}  // namespace

CLI::App* add_repl_command(CLI::App& app) {
  CLI::App* repl = app.add_subcommand("repl", "A Lua prompt with the modules as globals");
  repl->footer(
      "Lua lines are evaluated as typed; modules are globals (math.add(2, 3),\n"
      "algorithms.sorting.quick{3, 1, 2}) or import(\"name\"), and always reach the\n"
      "current version: Lua variables survive reloads. Dot-commands: .help lists\n"
      ".reload NAME, .watch, .modules, .modinfo, .perfmon, .memreport, .errors,\n"
      ".events, .trace, .devmode, .refresh, .reloadall, .quit.\n"
      "Dev mode is on unless --no-dev; the runtime's log shows warnings and errors\n"
      "unless --log-level says otherwise.\n"
      "With stdin not a terminal (a pipe, a file) lines are read one at a time, with\n"
      "no prompt and no colour, results flushed per line; errors go to stderr, the\n"
      "session goes on, and the exit code is 1 when any line failed:\n"
      "  printf 'm = import(\"math\")\\nprint(m.sqrt(16))\\n' | hotmod -M mods repl\n"
      "History: $XDG_STATE_HOME/hotmod/history (else ~/.local/state/hotmod/history).");
  return repl;
}

int run_repl(const GlobalOptions& global) {
  int exit_code = kExitOk;
  auto setup = setup_runtime(global, &exit_code);
  if (!setup) return exit_code;
  setup->options.dev_mode = !no_dev_given(global);

  const bool interactive = ::isatty(STDIN_FILENO) == 1;
  ReplOutput output;
  output.out = [](std::string_view text) { write_to(stdout, text); };
  output.err = [](std::string_view text) { write_to(stderr, text); };
  output.colour = interactive && colour_for(stdout);
  output.unicode = interactive && unicode_for(stdout);

  // Built before the runtime and ended after it: the runtime logs until its end.
  Notices notices;
  setup->options.log_sink =
      repl_log_sink(notices, setup->options.log_level, setup->log_level_given, output.err);
  Runtime runtime(std::move(setup->options));
  Session session(runtime, notices, output, setup->where);
  if (!interactive) return run_pipe_loop(session, notices, STDIN_FILENO);
  banner(runtime, setup->where);
  return run_terminal_loop(session, notices);
}

}  // namespace hotmod::cli
