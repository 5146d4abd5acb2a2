// hotmod/reload_stats.hpp — the outcome of one reload, shared by the
// runtime's modules and by ReloadEngine.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hotmod/error.hpp"

namespace hotmod {

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
  ModuleKind kind = ModuleKind::library;
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
