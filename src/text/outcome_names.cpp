// The names of the enums that describe a module and what went wrong
// (hotmod/error.hpp), as events, logs, reports and JSON spell them. A switch
// for each, so that -Wswitch names an enumerator added without a name; the
// parse_* functions walk the same switch.
#include <optional>
#include <string_view>

#include "hotmod/error.hpp"

namespace hotmod {

std::string_view to_string(ModuleKind kind) {
  switch (kind) {
    case ModuleKind::library:
      return "library";
    case ModuleKind::source:
      return "source";
    case ModuleKind::script:
      return "script";
  }
  return "unknown";
}

std::string_view to_string(Stage stage) {
  switch (stage) {
    case Stage::none:
      return "none";
    case Stage::build:
      return "build";
    case Stage::copy:
      return "copy";
    case Stage::load:
      return "load";
    case Stage::validate:
      return "validate";
    case Stage::state:
      return "state";
    case Stage::initialize:
      return "initialize";
    case Stage::import:
      return "import";
    case Stage::call:
      return "call";
    case Stage::config:
      return "config";
    case Stage::watch:
      return "watch";
    case Stage::process:
      return "process";
    case Stage::usage:
      return "usage";
    case Stage::trace:
      return "trace";
  }
  return "unknown";
}

std::string_view to_string(Failure failure) {
  switch (failure) {
    case Failure::none:
      return "none";
    case Failure::unknown_module:
      return "unknown_module";
    case Failure::build_failed:
      return "build_failed";
    case Failure::io_error:
      return "io_error";
    case Failure::not_shared_object:
      return "not_shared_object";
    case Failure::truncated_image:
      return "truncated_image";
    case Failure::no_descriptor:
      return "no_descriptor";
    case Failure::abi_mismatch:
      return "abi_mismatch";
    case Failure::open_failed:
      return "open_failed";
    case Failure::missing_capability:
      return "missing_capability";
    case Failure::missing_interface:
      return "missing_interface";
    case Failure::self_test_failed:
      return "self_test_failed";
    case Failure::constructor_threw:
      return "constructor_threw";
    case Failure::migration_failed:
      return "migration_failed";
    case Failure::on_load_threw:
      return "on_load_threw";
    case Failure::duplicate_interface:
      return "duplicate_interface";
    case Failure::import_cycle:
      return "import_cycle";
    case Failure::not_loaded:
      return "not_loaded";
    case Failure::unknown_function:
      return "unknown_function";
    case Failure::bad_arguments:
      return "bad_arguments";
    case Failure::function_threw:
      return "function_threw";
    case Failure::bad_result:
      return "bad_result";
    case Failure::invalid_config:
      return "invalid_config";
    case Failure::toolchain_missing:
      return "toolchain_missing";
    case Failure::watch_failed:
      return "watch_failed";
    case Failure::spawn_failed:
      return "spawn_failed";
    case Failure::shutting_down:
      return "shutting_down";
    case Failure::timed_out:
      return "timed_out";
    case Failure::forked:
      return "forked";
    case Failure::crashed:
      return "crashed";
    case Failure::quarantined:
      return "quarantined";
    case Failure::stale_call:
      return "stale_call";
    case Failure::state_not_copyable:
      return "state_not_copyable";
    case Failure::untrusted:
      return "untrusted";
  }
  return "unknown";
}

namespace {

// Every enumerator has a name other than "unknown", and they are numbered
// from 0 without gaps: the first "unknown" is past the last one.
template <class Enum>
std::optional<Enum> parse(std::string_view name) {
  for (int i = 0;; ++i) {
    const std::string_view known = to_string(static_cast<Enum>(i));
    if (known == "unknown") return std::nullopt;
    if (known == name) return static_cast<Enum>(i);
  }
}

}  // namespace

std::optional<ModuleKind> parse_module_kind(std::string_view name) {
  return parse<ModuleKind>(name);
}
std::optional<Stage> parse_stage(std::string_view name) {
  return parse<Stage>(name);
}
std::optional<Failure> parse_failure(std::string_view name) {
  return parse<Failure>(name);
}

}  // namespace hotmod
