// One REPL session: a Lua console (script::Console) whose globals reach the
// runtime's modules, the dot-commands (repl_commands.hpp), and what the
// session remembers — an unfinished Lua chunk, recent events, whether a
// line failed. The loops that read lines (repl_pipe_loop.hpp for pipes,
// repl_terminal.cpp for terminals) only feed it lines and print notices.
//
// Threading: feed() and complete() run on the REPL thread, the one that
// built the Notices. Reloads by the watcher are reported through Notices;
// loads and reloads the session itself starts are reported by the command
// that started them, not twice.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cli/repl_events.hpp"
#include "cli/repl_notices.hpp"
#include "hotmod/runtime.hpp"
#include "script/console.hpp"

namespace hotmod::cli {

struct ReplOutput {
  std::function<void(std::string_view)> out;  // results, print(), reports
  std::function<void(std::string_view)> err;  // errors
  bool colour = false;                        // paint [OK], [FAILED], "error:"
  bool unicode = false;                       // box-drawing tables, ⚠
};

class Session {
 public:
  enum class Fed { ok, failed, incomplete, quit };

  // `where` names the module folders, for messages. `runtime` and `notices`
  // must outlive the session.
  Session(Runtime& runtime, Notices& notices, ReplOutput output, std::string where);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // One line as typed: a dot-command, or Lua (added to an unfinished chunk).
  Fed feed(std::string_view line);
  // Inside an unfinished Lua chunk (the prompt says "...> ").
  bool continuing() const { return !pending_.empty(); }
  // Drops an unfinished chunk (Ctrl-C).
  void reset_chunk() { pending_.clear(); }
  // Stops the Lua chunk feed() is evaluating (Ctrl-C during it); false when
  // none is. Async-signal-safe, from any thread: script::Console::interrupt.
  bool interrupt() noexcept { return console_->interrupt(); }
  // Completions of the last word of `line` (see repl_completion.hpp).
  std::vector<std::string> complete(std::string_view line);

  // For the dot-commands.
  Runtime& runtime() { return runtime_; }
  const ReplOutput& output() const { return output_; }
  const EventLog& events() const { return events_; }
  const std::string& where() const { return where_; }
  // Writes `text` and a '\n' when it has none.
  void print(std::string_view text) const;
  // "error: text" on the error stream.
  void error(std::string_view text) const;
  // The module's kind (library when unknown).
  ModuleKind kind_of(std::string_view name) const;
  // Every module name, sorted.
  std::vector<std::string> module_names() const;
  // True when `name` is a module; otherwise prints the error with the
  // nearest name and returns false.
  bool check_module(std::string_view name) const;
  // The trace file .trace started, empty when none runs.
  const std::filesystem::path& trace_file() const { return trace_file_; }
  void set_trace_file(std::filesystem::path file) { trace_file_ = std::move(file); }
  // "usage: .reload NAME", as an error.
  void usage(std::string_view command) const;

 private:
  Fed eval(std::string_view line);
  script::ConsoleHost console_host();

  Runtime& runtime_;
  Notices& notices_;
  ReplOutput output_;
  std::string where_;
  std::filesystem::path trace_file_;
  std::string pending_;  // an unfinished chunk, lines joined by '\n'
  EventLog events_;
  std::uint64_t reload_callback_ = 0;
  std::unique_ptr<script::Console> console_;
};

}  // namespace hotmod::cli
