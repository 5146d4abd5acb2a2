// Dot-commands that look back: .errors (the last failed load or build) and
// .events (what the bus carried).
#include <fmt/format.h>

#include <charconv>

#include "cli/reload_line.hpp"
#include "cli/repl_commands.hpp"
#include "cli/repl_session.hpp"

namespace hotmod::cli {
namespace {

// "file:line:col: severity: message", as compilers print them.
std::string message_line(const CompilerMessage& m) {
  std::string where = m.file;
  if (!where.empty() && m.line > 0) where += fmt::format(":{}", m.line);
  if (!where.empty() && m.column > 0) where += fmt::format(":{}", m.column);
  if (where.empty()) return fmt::format("{}: {}", m.severity, m.message);
  return fmt::format("{}: {}: {}", where, m.severity, m.message);
}

void show_failure(Session& s, const ReloadStats& f) {
  std::string out = fmt::format(
      "{}\n  {}\n", reload_line(f, s.kind_of(f.module), ".errors", s.output().colour), f.error);
  if (!f.messages.empty()) {
    for (const CompilerMessage& m : f.messages) out += fmt::format("  {}\n", message_line(m));
  } else if (!f.diagnostics.empty()) {
    // Unparsed output (a build rule's, dlerror's): as it was written.
    out += f.diagnostics;
  }
  s.print(out);
}

}  // namespace

CommandResult cmd_errors(Session& s, const Words& args) {
  if (args.size() > 1) {
    s.usage(".errors");
    return CommandResult::failed;
  }
  if (args.size() == 1) {
    if (!s.check_module(args[0])) return CommandResult::failed;
    if (std::optional<ReloadStats> f = s.runtime().last_failure(args[0]))
      show_failure(s, *f);
    else
      s.print(fmt::format("module '{}' has no failure: its last load, reload or build worked",
                          args[0]));
    return CommandResult::ok;
  }
  bool any = false;
  for (const std::string& name : s.module_names())
    if (std::optional<ReloadStats> f = s.runtime().last_failure(name)) {
      show_failure(s, *f);
      any = true;
    }
  if (!any) s.print("no failures: every module's last attempt worked");
  return CommandResult::ok;
}

CommandResult cmd_events(Session& s, const Words& args) {
  std::size_t n = 20;
  if (args.size() > 1) {
    s.usage(".events");
    return CommandResult::failed;
  }
  if (args.size() == 1) {
    const std::string& a = args[0];
    const auto [end, ec] = std::from_chars(a.data(), a.data() + a.size(), n);
    if (ec != std::errc() || end != a.data() + a.size() || n == 0) {
      s.error(
          fmt::format("'{}' is not a count; .events N shows the last N events, e.g. .events 5", a));
      return CommandResult::failed;
    }
  }
  const std::vector<EventLog::Entry> entries = s.events().last(n);
  if (entries.empty()) {
    s.print("no events yet");
    return CommandResult::ok;
  }
  std::string out;
  for (const EventLog::Entry& e : entries) out += format_event(e) + "\n";
  s.print(out);
  return CommandResult::ok;
}

}  // namespace hotmod::cli
