// hotmod/reload_stats.hpp — the outcome of one reload, shared by the
// runtime's modules and by ReloadEngine.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hotmod {

// What a module is made of: a prebuilt shared object, C++ sources hotmod
// compiles, or a Lua script.
enum class ModuleKind { library, source, script };
std::string_view to_string(ModuleKind kind);

// Where a reload stopped. `build` is used by modules hotmod compiles.
enum class Stage { none, build, copy, load, validate, state, initialize };
std::string_view to_string(Stage stage);

// Why a load or reload failed, as a value the host can act on.
enum class Failure {
  none,
  unknown_module,       // no module of that name in the module paths
  build_failed,         // the build step failed (its output is in diagnostics)
  io_error,             // the file could not be read or the copy written
  not_shared_object,    // not an ELF shared object for this machine
  truncated_image,      // the file is cut short (still being written?)
  no_descriptor,        // no HOTMOD_MODULE in it
  abi_mismatch,         // built with flags that change layout
  open_failed,          // dlopen refused it (undefined symbols, ...)
  missing_capability,   // requires a capability the host did not grant
  missing_interface,    // no longer implements an interface the host holds
  self_test_failed,     // its HOTMOD_SELF_TEST threw
  constructor_threw,    // constructing its interface objects or its state threw
  migration_failed,     // its HOTMOD_MIGRATE threw
  on_load_threw,        // its on_load threw
  duplicate_interface,  // implements one interface twice
};
std::string_view to_string(Failure failure);

struct StageTimes {
  std::chrono::nanoseconds build{0};     // a build step (build rule, compiler)
  std::chrono::nanoseconds copy{0};      // reading the file, writing the versioned copy
  std::chrono::nanoseconds open{0};      // dlopen
  std::chrono::nanoseconds validate{0};  // ELF and ABI checks, descriptor, self-test
  std::chrono::nanoseconds state{0};     // state hand-over (keep, migrate or reset)
  std::chrono::nanoseconds hooks{0};     // on_unload(old) + on_load(new)
  std::chrono::nanoseconds swap{0};      // publishing the new version
};

// One message from a compiler or linker, parsed from its output.
struct CompilerMessage {
  std::string file;      // as the compiler printed it; empty for linker messages
  int line = 0;          // 1-based; 0 when not given
  int column = 0;        // 1-based; 0 when not given
  std::string severity;  // "error", "fatal error", "warning" or "note"
  std::string message;
};

// The outcome of one load or reload of one module.
struct ReloadStats {
  std::string module;
  bool success = false;
  bool pending = false;     // safe_point: prepared, waiting for apply_pending()
  bool first_load = false;  // the module's first load, not a reload
  std::chrono::nanoseconds duration{0};
  Stage stage = Stage::none;  // where it failed
  Failure failure = Failure::none;
  std::string error;                      // one line: what happened and what to do
  std::string diagnostics;                // longer output (dlerror text, compiler output)
  std::vector<CompilerMessage> messages;  // a failed compile's output, parsed
  std::string version;                    // the version string now running
  std::uint64_t reload_count = 0;
  StageTimes stages;
};

}  // namespace hotmod
