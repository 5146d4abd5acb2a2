// The names of the enums that describe a module and a reload's outcome
// (hotmod/reload_stats.hpp), as events, logs, reports and JSON spell them.
#include "hotmod/reload_stats.hpp"

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
  }
  return "unknown";
}

}  // namespace hotmod
