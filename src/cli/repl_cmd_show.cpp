// Dot-commands that show: .modules, .modinfo, .perfmon, .memreport.
#include <fmt/format.h>

#include "cli/render_info.hpp"
#include "cli/render_modules.hpp"
#include "cli/render_reports.hpp"
#include "cli/repl_commands.hpp"
#include "cli/repl_session.hpp"

namespace hotmod::cli {
namespace {

TableStyle style(const Session& s) {
  return s.output().unicode ? TableStyle::box : TableStyle::plain;
}

bool no_args(Session& s, const Words& args, std::string_view command) {
  if (args.empty()) return true;
  s.usage(command);
  return false;
}

}  // namespace

CommandResult cmd_modules(Session& s, const Words& args) {
  if (!no_args(s, args, ".modules")) return CommandResult::failed;
  std::vector<ModuleInfo> modules = s.runtime().modules();
  if (modules.empty()) {
    s.print(fmt::format("no modules in {}", s.where()));
    return CommandResult::ok;
  }
  s.print(render_loaded(std::move(modules), s.runtime().performance_report(),
                        s.runtime().memory_report(), style(s)));
  return CommandResult::ok;
}

CommandResult cmd_modinfo(Session& s, const Words& args) {
  if (args.size() != 1) {
    s.usage(".modinfo");
    return CommandResult::failed;
  }
  if (!s.check_module(args[0])) return CommandResult::failed;
  Result<Module> module = s.runtime().module(args[0]);
  if (std::optional<ModuleInfo> info = s.runtime().info(args[0])) s.print(render_info(*info));
  if (module) return CommandResult::ok;
  s.error(fmt::format("{} (.errors {} shows the details)", module.error().message, args[0]));
  return CommandResult::failed;
}

CommandResult cmd_perfmon(Session& s, const Words& args) {
  if (!no_args(s, args, ".perfmon")) return CommandResult::failed;
  s.print(render_performance(s.runtime().performance_report(), style(s), s.output().unicode));
  return CommandResult::ok;
}

CommandResult cmd_memreport(Session& s, const Words& args) {
  if (!no_args(s, args, ".memreport")) return CommandResult::failed;
  s.print(render_memory(s.runtime().memory_report(), style(s)));
  return CommandResult::ok;
}

}  // namespace hotmod::cli
