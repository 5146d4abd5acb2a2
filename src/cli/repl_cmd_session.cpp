// Dot-commands about the session itself: .help, .quit, .devmode, .watch, .trace.
#include <fmt/format.h>

#include <algorithm>

#include "cli/reload_line.hpp"
#include "cli/repl_commands.hpp"
#include "cli/repl_session.hpp"

namespace hotmod::cli {
namespace {

std::string watching_text(const Runtime& rt) {
  if (std::optional<WatchBackend> backend = rt.watching())
    return fmt::format("watching the loaded modules ({})", to_string(*backend));
  if (!rt.dev_mode()) return "not watching: dev mode is off (.devmode on, or .watch all)";
  return "not watching (.watch all, or .watch NAME)";
}

// Loads `names`; a failure gets its [FAILED] line. False when any failed.
bool load(Session& s, const std::vector<std::string>& names) {
  bool ok = true;
  for (const std::string& name : names) {
    if (s.runtime().module(name)) continue;
    ok = false;
    if (std::optional<ReloadStats> failed = s.runtime().last_failure(name))
      s.print(reload_line(*failed, s.kind_of(name), ".errors", s.output().colour));
    else
      s.error(fmt::format("module '{}' did not load", name));
  }
  return ok;
}

}  // namespace

CommandResult cmd_help(Session& s, const Words&) {
  std::size_t width = 0;
  for (const DotCommand& c : dot_commands())
    width = std::max(width, c.name.size() + 1 + c.args.size());
  std::string out =
      "Lua is evaluated as typed: modules are globals (math.add(2, 3)) or import(\"name\").\n";
  for (const DotCommand& c : dot_commands()) {
    std::string left = fmt::format("{}{}{}", c.name, c.args.empty() ? "" : " ", c.args);
    left.resize(width, ' ');
    out += fmt::format("  {}  {}\n", left, c.help);
  }
  s.print(out);
  return CommandResult::ok;
}

CommandResult cmd_quit(Session&, const Words&) {
  return CommandResult::quit;
}

CommandResult cmd_devmode(Session& s, const Words& args) {
  Runtime& rt = s.runtime();
  if (args.size() > 1 || (args.size() == 1 && args[0] != "on" && args[0] != "off")) {
    s.usage(".devmode");
    return CommandResult::failed;
  }
  if (!args.empty()) rt.set_dev_mode(args[0] == "on");
  s.print(rt.dev_mode() ? fmt::format("dev mode on: {}", watching_text(rt))
                        : std::string("dev mode off: production mode, nothing watched"));
  return CommandResult::ok;
}

CommandResult cmd_watch(Session& s, const Words& args) {
  Runtime& rt = s.runtime();
  if (args.size() > 1) {
    s.usage(".watch");
    return CommandResult::failed;
  }
  if (args.empty()) {
    s.print(watching_text(rt));
    return CommandResult::ok;
  }
  if (args[0] == "off") {
    rt.set_hot_reload(false);
    s.print("stopped watching; .reload NAME or .refresh reload by hand");
    return CommandResult::ok;
  }
  std::vector<std::string> names = args;
  if (args[0] == "all")
    names = s.module_names();
  else if (!s.check_module(args[0]))
    return CommandResult::failed;
  const bool loaded = load(s, names);
  rt.set_hot_reload(true);
  if (!rt.dev_mode()) rt.set_dev_mode(true);  // the watcher runs in dev mode only
  s.print(fmt::format("{}; changes are reported here as they happen", watching_text(rt)));
  return loaded ? CommandResult::ok : CommandResult::failed;
}

CommandResult cmd_trace(Session& s, const Words& args) {
  if (args.size() != 1) {
    s.usage(".trace");
    return CommandResult::failed;
  }
  if (args[0] == "off") {
    if (s.trace_file().empty()) {
      s.print("no trace is running; .trace FILE starts one");
      return CommandResult::ok;
    }
    const std::size_t events = s.runtime().stop_trace();
    s.print(fmt::format("trace closed: {} events in {}", events, s.trace_file().string()));
    s.set_trace_file({});
    return CommandResult::ok;
  }
  Result<std::filesystem::path> file = s.runtime().start_trace(args[0]);
  if (!file) {
    s.error(file.error().message);
    return CommandResult::failed;
  }
  s.set_trace_file(*file);
  s.print(fmt::format(
      "tracing builds, loads and reloads to {} (open it in Perfetto or chrome://tracing); .trace "
      "off closes it",
      file->string()));
  return CommandResult::ok;
}

}  // namespace hotmod::cli
