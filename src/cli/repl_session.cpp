#include "cli/repl_session.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "cli/reload_line.hpp"
#include "cli/repl_commands.hpp"
#include "cli/repl_completion.hpp"
#include "cli/terminal.hpp"
#include "text/suggest.hpp"

namespace hotmod::cli {
namespace {

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

Session::Session(Runtime& runtime, Notices& notices, ReplOutput output, std::string where)
    : runtime_(runtime),
      notices_(notices),
      output_(std::move(output)),
      where_(std::move(where)),
      events_(runtime.bus()) {
  // The watcher's reloads, as notices; the session's own are reported by
  // the command (or the Lua error) that caused them. A delivery may still
  // run after remove_on_reload(): it touches only what outlives the session.
  reload_callback_ = runtime_.on_reload(
      [&runtime = runtime_, &notices = notices_, colour = output_.colour](const ReloadStats& s) {
        if (notices.on_repl_thread()) return;
        const std::optional<ModuleInfo> info = runtime.info(s.module);
        notices.push(reload_line(s, info ? info->kind : ModuleKind::library, ".errors", colour));
      });
  console_ = std::make_unique<script::Console>(console_host());
}

Session::~Session() {
  runtime_.remove_on_reload(reload_callback_);
}

script::ConsoleHost Session::console_host() {
  script::ConsoleHost host;
  host.is_module = [this](std::string_view name) { return runtime_.info(name).has_value(); };
  host.module_names = [this] { return module_names(); };
  host.functions = [this](std::string_view name) -> Result<std::vector<std::string>> {
    Result<Module> m = runtime_.module(name);
    if (!m) return m.error();
    std::vector<std::string> names;
    if (std::optional<ModuleInfo> info = runtime_.info(name))
      for (const FunctionInfo& f : info->functions) names.push_back(f.name);
    return names;
  };
  host.call = [this](std::string_view name, std::string_view function,
                     const Value& args) -> Result<Value> {
    Result<Module> m = runtime_.module(name);
    if (!m) return m.error();
    return m->call_with(function, args);
  };
  host.write = [this](std::string_view text) { output_.out(text); };
  return host;
}

Session::Fed Session::feed(std::string_view line) {
  const std::string_view text = trimmed(line);
  if (pending_.empty() && !text.empty() && text.front() == '.') {
    switch (run_dot_command(*this, text)) {
      case CommandResult::ok:
        return Fed::ok;
      case CommandResult::failed:
        return Fed::failed;
      case CommandResult::quit:
        return Fed::quit;
    }
  }
  if (pending_.empty() && text.empty()) return Fed::ok;
  return eval(line);
}

Session::Fed Session::eval(std::string_view line) {
  std::string chunk = pending_.empty() ? std::string(line) : pending_ + "\n" + std::string(line);
  const script::Console::Outcome outcome = console_->eval(chunk);
  switch (outcome.status) {
    case script::Console::Status::incomplete:
      pending_ = std::move(chunk);
      return Fed::incomplete;
    case script::Console::Status::error:
      pending_.clear();
      error(outcome.error);
      return Fed::failed;
    case script::Console::Status::ok:
      break;
  }
  pending_.clear();
  return Fed::ok;
}

std::vector<std::string> Session::complete(std::string_view line) {
  return repl_complete(line, module_names(),
                       [this](std::string_view l) { return console_->complete(l); });
}

void Session::print(std::string_view text) const {
  std::string out(text);
  if (out.empty() || out.back() != '\n') out += '\n';
  output_.out(out);
}

void Session::error(std::string_view text) const {
  std::string out = fmt::format("{} {}", paint("error:", Colour::red, output_.colour), text);
  if (out.back() != '\n') out += '\n';
  output_.err(out);
}

ModuleKind Session::kind_of(std::string_view name) const {
  const std::optional<ModuleInfo> info = runtime_.info(name);
  return info ? info->kind : ModuleKind::library;
}

std::vector<std::string> Session::module_names() const {
  std::vector<std::string> names;
  for (const ModuleInfo& m : runtime_.modules()) names.push_back(m.name);
  std::sort(names.begin(), names.end());
  return names;
}

bool Session::check_module(std::string_view name) const {
  if (runtime_.info(name)) return true;
  std::string message = fmt::format("no module named '{}' in {}", name, where_);
  if (std::string near = text::did_you_mean(name, module_names()); !near.empty())
    message += fmt::format("; did you mean '{}'?", near);
  error(message);
  return false;
}

void Session::usage(std::string_view command) const {
  const DotCommand* c = find_dot_command(command);
  if (c == nullptr) return;
  error(fmt::format("usage: {}{}{}  ({})", c->name, c->args.empty() ? "" : " ", c->args, c->help));
}

}  // namespace hotmod::cli
