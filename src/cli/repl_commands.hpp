// The REPL's dot-commands: one table (repl_commands.cpp) of name, arguments,
// help line and handler; the handlers live by topic in repl_cmd_*.cpp.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hotmod::cli {

class Session;

enum class CommandResult { ok, failed, quit };

using Words = std::vector<std::string>;

struct DotCommand {
  std::string_view name;  // ".reload"
  std::string_view args;  // "NAME", "[on|off]", ""
  std::string_view help;  // one line
  CommandResult (*run)(Session& session, const Words& args);
  // What its argument completes to: module names, and these words.
  bool completes_modules = false;
  std::vector<std::string_view> words = {};
};

// Every command, in the order .help lists them.
const std::vector<DotCommand>& dot_commands();

// Runs `line` (starting with '.'); an unknown command is an error naming
// the nearest one.
CommandResult run_dot_command(Session& session, std::string_view line);

// The command named exactly `name`, or nullptr.
const DotCommand* find_dot_command(std::string_view name);

// Handlers, by file.
// repl_cmd_session.cpp
CommandResult cmd_help(Session& s, const Words& args);
CommandResult cmd_quit(Session& s, const Words& args);
CommandResult cmd_devmode(Session& s, const Words& args);
CommandResult cmd_watch(Session& s, const Words& args);
CommandResult cmd_trace(Session& s, const Words& args);
// repl_cmd_reload.cpp
CommandResult cmd_reload(Session& s, const Words& args);
CommandResult cmd_reloadall(Session& s, const Words& args);
CommandResult cmd_refresh(Session& s, const Words& args);
// repl_cmd_show.cpp
CommandResult cmd_modules(Session& s, const Words& args);
CommandResult cmd_modinfo(Session& s, const Words& args);
CommandResult cmd_perfmon(Session& s, const Words& args);
CommandResult cmd_memreport(Session& s, const Words& args);
// repl_cmd_errors.cpp
CommandResult cmd_errors(Session& s, const Words& args);
CommandResult cmd_events(Session& s, const Words& args);

}  // namespace hotmod::cli
