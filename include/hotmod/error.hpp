// hotmod/error.hpp — what went wrong, as values a host can act on.
//
// Every fallible hotmod call returns a Result<T>: a T, or an Error saying
// where it stopped (Stage), why (Failure), what happened and what to do
// (message, naming the module or file), and longer output (diagnostics:
// compiler output, dlerror text, a stack trace). Reloads report the same
// values in ReloadStats. Each enum has its `to_string` and `parse_*` here;
// the names are the ones logs, events, the `hotmod` command and its --json
// output use.
#pragma once

#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace hotmod {

// What a module is made of: a prebuilt shared object, C++ sources hotmod
// compiles, or a Lua script.
enum class ModuleKind { library, source, script };

// Where something stopped. The first seven are the steps of a load or reload
// (`build` only for modules hotmod compiles); the rest name the other things
// a host asks hotmod to do.
enum class Stage {
  none,
  build,
  copy,
  load,
  validate,
  state,
  initialize,
  import,   // a module importing another
  call,     // calling a module's function
  config,   // reading settings: flags, HOTMOD_* variables, hotmod.json
  watch,    // watching files
  process,  // starting a compiler, linker or build rule
  usage,    // the `hotmod` command's arguments
  trace,    // writing a trace file
};

// Why it failed. Values are only ever appended: hosts may store them.
enum class Failure {
  none,
  unknown_module,       // no module of that name in the module paths
  build_failed,         // the build step failed (its output is in diagnostics)
  io_error,             // a file could not be read or written
  not_shared_object,    // not an ELF shared object for this machine
  truncated_image,      // the file is cut short (still being written?)
  no_descriptor,        // no HOTMOD_MODULE in it (a script: returned no table)
  abi_mismatch,         // built with flags that change layout
  open_failed,          // dlopen refused it (undefined symbols, ...); a script did not parse
  missing_capability,   // requires a capability the host did not grant
  missing_interface,    // does not implement an interface asked for or in use
  self_test_failed,     // its HOTMOD_SELF_TEST threw
  constructor_threw,    // constructing its interface objects or its state threw
  migration_failed,     // its HOTMOD_MIGRATE threw
  on_load_threw,        // its on_load threw (a script: its chunk raised an error)
  duplicate_interface,  // implements one interface twice
  import_cycle,         // modules importing each other in a loop
  not_loaded,           // the module is not (or no longer) loaded
  unknown_function,     // the module exports no function of that name
  bad_arguments,        // arguments of the wrong number or type
  function_threw,       // the called function threw or raised an error
  bad_result,           // the result cannot be read as the type asked for
  invalid_config,       // a setting's value is wrong (the message names where)
  toolchain_missing,    // the compiler, launcher or linker is not installed
  watch_failed,         // the file watcher could not start or watch a path
  spawn_failed,         // a process could not be started
  shutting_down,        // the runtime or engine is being destroyed
  timed_out,            // ran past its limit (RuntimeOptions::limits): a build, a
                        // compile, a script's instructions or memory
  forked,               // asked of a runtime made before this process was fork()ed
  crashed,              // module code crashed (a fatal signal, abort(), std::terminate, a
                        // stack overflow) and the crash was contained (dev mode)
  quarantined,          // this very file crashed before; it loads again once it changes
                        // (RuntimeOptions::state_dir)
  stale_call,           // a call reached the code of a version replaced since, through a
                        // pointer kept from it (a function pointer, vtable, std::function)
  state_not_copyable,   // its state is kept across the reload but cannot be copied, so a
                        // failed on_load could not be undone: refused before anything ran
};

std::string_view to_string(ModuleKind kind);
std::string_view to_string(Stage stage);
std::string_view to_string(Failure failure);
// The inverse of to_string; nullopt for a name that is not one.
std::optional<ModuleKind> parse_module_kind(std::string_view name);
std::optional<Stage> parse_stage(std::string_view name);
std::optional<Failure> parse_failure(std::string_view name);

struct Error {
  Error() = default;
  Error(Stage where, Failure why, std::string what, std::string details = {})
      : stage(where), failure(why), message(std::move(what)), diagnostics(std::move(details)) {}

  Stage stage = Stage::none;
  Failure failure = Failure::none;
  std::string message;      // one line: what happened, naming the module, and what to do
  std::string diagnostics;  // longer output, when there is some
};

// Thrown by Result::value() (and * and ->) when the result is an error:
// what() is the error's message, error() the whole Error.
class BadResultAccess : public std::exception {
 public:
  explicit BadResultAccess(Error error) : error_(std::make_shared<const Error>(std::move(error))) {}
  const char* what() const noexcept override { return error_->message.c_str(); }
  const Error& error() const noexcept { return *error_; }

 private:
  std::shared_ptr<const Error> error_;  // shared: copying an exception must not throw
};

// Thrown out of a call through a Ref<I> whose module code crashed while crash
// containment was on (RuntimeOptions::contain_crashes, dev mode): the call
// is abandoned where the module was entered, and error() says which module
// and version, which signal, and (diagnostics) the backtrace. The module's
// own frames were not unwound: what they held (locks, heap) stays as it
// was. Module::call and the runtime's own calls return this Error instead.
class ModuleCrashed : public std::exception {
 public:
  explicit ModuleCrashed(Error error) : error_(std::make_shared<const Error>(std::move(error))) {}
  const char* what() const noexcept override { return error_->message.c_str(); }
  const Error& error() const noexcept { return *error_; }

 private:
  std::shared_ptr<const Error> error_;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return check(), std::get<0>(v_); }
  const T& value() const& { return check(), std::get<0>(v_); }
  T&& value() && { return check(), std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // Only on an error (check ok() first): std::bad_variant_access otherwise.
  const Error& error() const { return std::get<1>(v_); }

 private:
  void check() const {
    if (!ok()) throw BadResultAccess(std::get<1>(v_));
  }
  std::variant<T, Error> v_;
};

// Success with nothing to return, or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return !error_; }
  explicit operator bool() const { return ok(); }
  void value() const {
    if (error_) throw BadResultAccess(*error_);
  }
  // Only on an error (check ok() first): std::bad_optional_access otherwise.
  const Error& error() const { return error_.value(); }

 private:
  std::optional<Error> error_;
};

}  // namespace hotmod
