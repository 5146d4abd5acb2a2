// Dot-commands that load new versions: .reload, .reloadall, .refresh.
#include <fmt/format.h>

#include "cli/cli_runtime.hpp"
#include "cli/reload_line.hpp"
#include "cli/repl_commands.hpp"
#include "cli/repl_session.hpp"

namespace hotmod::cli {
namespace {

// One line per attempt; true when all succeeded.
bool report(Session& s, const std::vector<ReloadStats>& all) {
  bool ok = true;
  for (const ReloadStats& stats : all) {
    s.print(reload_line(stats, s.kind_of(stats.module), ".errors", s.output().colour));
    ok = ok && stats.success;
  }
  return ok;
}

}  // namespace

CommandResult cmd_reload(Session& s, const Words& args) {
  if (args.size() != 1) {
    s.usage(".reload");
    return CommandResult::failed;
  }
  if (!s.check_module(args[0])) return CommandResult::failed;
  return report(s, {s.runtime().reload(args[0])}) ? CommandResult::ok : CommandResult::failed;
}

CommandResult cmd_reloadall(Session& s, const Words& args) {
  if (!args.empty()) {
    s.usage(".reloadall");
    return CommandResult::failed;
  }
  const std::vector<ReloadStats> all = s.runtime().reload_all();
  if (all.empty()) {
    s.print("no module is loaded yet: nothing to reload");
    return CommandResult::ok;
  }
  const bool ok = report(s, all);
  if (all.size() > 1) {
    std::size_t failed = 0;
    for (const ReloadStats& r : all) failed += r.success ? 0 : 1;
    s.print(
        fmt::format("{} modules: {} reloaded, {} failed", all.size(), all.size() - failed, failed));
  }
  return ok ? CommandResult::ok : CommandResult::failed;
}

CommandResult cmd_refresh(Session& s, const Words& args) {
  if (!args.empty()) {
    s.usage(".refresh");
    return CommandResult::failed;
  }
  const RefreshReport r = s.runtime().refresh();
  const bool ok = report(s, r.reloaded);
  for (const std::string& name : r.discovered) {
    const std::optional<ModuleInfo> info = s.runtime().info(name);
    s.print(info ? fmt::format("new module '{}' ({}, {})", name, to_string(info->kind),
                               display_path(info->path))
                 : fmt::format("new module '{}'", name));
  }
  for (const std::string& name : r.vanished)
    s.print(fmt::format("module '{}' vanished from disk; its loaded version keeps running", name));
  for (const std::string& name : r.unsettled)
    s.print(fmt::format("module '{}' is still being written; .refresh again in a moment", name));
  if (r.reloaded.empty() && r.discovered.empty() && r.vanished.empty() && r.unsettled.empty())
    s.print("nothing changed");
  return ok ? CommandResult::ok : CommandResult::failed;
}

}  // namespace hotmod::cli
