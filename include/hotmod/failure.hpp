// hotmod/failure.hpp — the kinds of module, and where and why something
// failed, as plain enums. hotmod/error.hpp adds their names and the Error
// and Result types; module code needs only these (an exported function's
// call reports a Failure), so they cost it no library header.
#pragma once

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
  untrusted,            // refused before running any of it: a file or folder others
                        // may write, or another user's; a build that is not what the
                        // build cache recorded
};

}  // namespace hotmod
