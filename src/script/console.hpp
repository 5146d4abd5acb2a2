// The console's Lua interpreter: what `hotmod repl` evaluates each line with.
//
// Modules appear as globals on first use (`math.sqrt(16)`, and dotted names
// through nested tables: `algorithms.sorting.quick{3,1,2}`), and through
// `import("name")`. A module global is a proxy: each call goes through the
// host to the module's current version, so after a reload `m.f()` runs the
// new code, and Lua variables live as long as the Console.
//
// Not thread-safe: one thread evaluates (the REPL's); the host callbacks may
// be called only from inside eval() and complete(). interrupt() is the
// exception: any thread or a signal handler may call it.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hotmod/value.hpp"

namespace hotmod::script {

// What the console reaches modules through (the runtime, in `hotmod repl`).
struct ConsoleHost {
  // Is `name` a module? (Loads nothing.)
  std::function<bool(std::string_view name)> is_module;
  // Every module name, for completion and for dotted-name prefixes.
  std::function<std::vector<std::string>()> module_names;
  // Loads the module if needed; its exported function names, or why not.
  std::function<Result<std::vector<std::string>>(std::string_view module)> functions;
  // Calls module.function with a JSON array of arguments.
  std::function<Result<Value>(std::string_view module, std::string_view function,
                              const Value& args)>
      call;
  // Where print() and results go (already formatted, ends with '\n').
  std::function<void(std::string_view text)> write;
};

class Console {
 public:
  explicit Console(ConsoleHost host);
  ~Console();
  Console(const Console&) = delete;
  Console& operator=(const Console&) = delete;

  enum class Status {
    ok,          // ran; results (if any) were written
    error,       // a syntax or runtime error: `error` holds the message
    incomplete,  // the chunk is unfinished (an open `function ... `): add a line
  };
  struct Outcome {
    Status status = Status::ok;
    std::string error;
  };
  // Evaluates `chunk` the way the `lua` interpreter does: first as an
  // expression (its values are written, tab-separated, as Lua literals:
  // 4.0, {1, 2, x = "text"}; a string on its own raw, as lua.c prints it),
  // else as statements.
  Outcome eval(std::string_view chunk);

  // Stops the chunk eval() is running, as lua.c does on Ctrl-C: its Lua
  // code raises "interrupted!" at its next instruction, call or return,
  // and eval() returns that error (the console stays usable). Returns
  // false, doing nothing, when no eval() is running. Async-signal-safe and
  // callable from any thread: it reads a lock-free atomic and calls only
  // lua_sethook, which Lua documents as safe from a signal handler. What
  // runs outside this console's interpreter (a module's function, even a
  // script module's) is not stopped; the chunk stops once it returns.
  bool interrupt() noexcept;

  // Completions for the word ending at the end of `line`: globals, module
  // names (also the next segment of a dotted name), and after `m.` or `m:`
  // the module's functions (or the table's keys). Sorted, unique; each is
  // the whole word to put in place of the last one.
  std::vector<std::string> complete(std::string_view line);

 private:
  struct Impl;
  class Evaluating;
  std::unique_ptr<Impl> impl_;
};

// A value as the console writes it: Lua-literal style for tables.
std::string format_value(const Value& value);

}  // namespace hotmod::script
