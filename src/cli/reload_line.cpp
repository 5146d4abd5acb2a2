#include "cli/reload_line.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "cli/terminal.hpp"
#include "cli/units.hpp"

namespace hotmod::cli {
namespace {

std::string_view failure_words(Failure failure) {
  switch (failure) {
    case Failure::none:
      return "failed";
    case Failure::unknown_module:
      return "no such module";
    case Failure::build_failed:
      return "build error";
    case Failure::io_error:
      return "cannot read the file";
    case Failure::not_shared_object:
      return "not a shared object";
    case Failure::truncated_image:
      return "file cut short";
    case Failure::no_descriptor:
      return "no HOTMOD_MODULE in it";
    case Failure::abi_mismatch:
      return "ABI mismatch";
    case Failure::open_failed:
      return "dlopen failed";
    case Failure::missing_capability:
      return "capability not granted";
    case Failure::missing_interface:
      return "an interface in use is gone";
    case Failure::self_test_failed:
      return "self-test failed";
    case Failure::constructor_threw:
      return "a constructor threw";
    case Failure::migration_failed:
      return "state migration failed";
    case Failure::on_load_threw:
      return "on_load threw";
    case Failure::duplicate_interface:
      return "an interface given twice";
    case Failure::import_cycle:
      return "an import cycle";
    case Failure::not_loaded:
      return "not loaded";
    case Failure::unknown_function:
      return "no such function";
    case Failure::bad_arguments:
      return "bad arguments";
    case Failure::function_threw:
      return "the function threw";
    case Failure::bad_result:
      return "unexpected result";
    case Failure::invalid_config:
      return "a setting is wrong";
    case Failure::toolchain_missing:
      return "compiler or linker missing";
    case Failure::watch_failed:
      return "cannot watch";
    case Failure::spawn_failed:
      return "cannot start a process";
    case Failure::shutting_down:
      return "shutting down";
    case Failure::timed_out:
      return "over its limit";
    case Failure::forked:
      return "runtime of the parent process";
    case Failure::crashed:
      return "crashed";
    case Failure::quarantined:
      return "quarantined after a crash";
    case Failure::stale_call:
      return "called a replaced version";
    case Failure::state_not_copyable:
      return "state cannot be copied";
    case Failure::untrusted:
      return "refused: not trusted";
  }
  return "failed";
}

}  // namespace

std::string failure_summary(const ReloadStats& stats) {
  std::string words(failure_words(stats.failure));
  if (stats.failure != Failure::build_failed) return words;
  const auto errors =
      std::count_if(stats.messages.begin(), stats.messages.end(), [](const CompilerMessage& m) {
        return m.severity == "error" || m.severity == "fatal error";
      });
  if (errors == 0) return words;
  return fmt::format("{} ({} {})", words, errors, errors == 1 ? "error" : "errors");
}

std::string reload_line(const ReloadStats& stats, ModuleKind kind, std::string_view see,
                        bool colour) {
  if (stats.success) {
    const char* what = stats.pending      ? "prepared (waiting for apply_pending)"
                       : stats.first_load ? "loaded"
                                          : "reloaded";
    return fmt::format("{} Module '{}' {} ({}, {})", paint("[OK]", Colour::green, colour),
                       stats.module, what, to_string(kind), format_ms(stats.duration));
  }
  // ReloadStats::version names what runs now; empty when nothing does.
  const std::string outcome =
      stats.version.empty() ? "not loaded" : fmt::format("kept at version {}", stats.version);
  return fmt::format("{} Module '{}' {}: {}, see {} {}", paint("[FAILED]", Colour::red, colour),
                     stats.module, outcome, failure_summary(stats), see, stats.module);
}

}  // namespace hotmod::cli
