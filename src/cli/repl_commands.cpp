#include "cli/repl_commands.hpp"

#include <fmt/format.h>

#include <sstream>

#include "cli/repl_session.hpp"
#include "text/suggest.hpp"

namespace hotmod::cli {

const std::vector<DotCommand>& dot_commands() {
  static const std::vector<DotCommand> kCommands = {
      {".help", "", "this list", cmd_help},
      {".modules", "", "every module by kind: version, loaded, load time, memory", cmd_modules},
      {".modinfo", "NAME", "one module's functions, state, imports (loads it)", cmd_modinfo, true},
      {".reload", "NAME", "load a new version of a module now", cmd_reload, true},
      {".reloadall", "", "reload every loaded module, each after what it imports", cmd_reloadall},
      {".refresh", "", "rescan the module folders: new, vanished and changed modules", cmd_refresh},
      {".watch",
       "[NAME|all|off]",
       "reload changed modules in the background (NAME or all: load them first)",
       cmd_watch,
       true,
       {"all", "off"}},
      {".devmode",
       "[on|off]",
       "show or switch dev mode (timings, heap counts, watching)",
       cmd_devmode,
       false,
       {"on", "off"}},
      {".errors", "[NAME]", "the last failed load or build: error and compiler messages",
       cmd_errors, true},
      {".events", "[N]", "the last N events (default 20, 100 kept)", cmd_events},
      {".perfmon", "", "load and reload times per module, slow ones marked", cmd_perfmon},
      {".memreport", "", "memory per module and per kind, process RSS", cmd_memreport},
      {".trace",
       "FILE|off",
       "write loads and reloads to FILE as a Chrome trace; off stops",
       cmd_trace,
       false,
       {"off"}},
      {".quit", "", "leave (also Ctrl-D)", cmd_quit},
  };
  return kCommands;
}

const DotCommand* find_dot_command(std::string_view name) {
  for (const DotCommand& c : dot_commands())
    if (c.name == name) return &c;
  return nullptr;
}

CommandResult run_dot_command(Session& session, std::string_view line) {
  std::istringstream in{std::string(line)};
  std::string name;
  in >> name;
  Words args;
  for (std::string w; in >> w;) args.push_back(w);
  if (const DotCommand* c = find_dot_command(name)) return c->run(session, args);
  std::vector<std::string> names;
  for (const DotCommand& c : dot_commands()) names.emplace_back(c.name);
  std::string message = fmt::format("unknown command '{}'", name);
  if (std::string near = text::did_you_mean(name, names); !near.empty())
    message += fmt::format("; did you mean '{}'?", near);
  session.error(fmt::format("{} (.help lists the commands)", message));
  return CommandResult::failed;
}

}  // namespace hotmod::cli
