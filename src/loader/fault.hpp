// Why one step of loading failed: the stage, a Failure value the host can act
// on, a one-line message naming the module and the fix, and longer output.
#pragma once

#include <string>

#include "hotmod/reload_stats.hpp"

namespace hotmod::loader {

struct Fault {
  Stage stage = Stage::none;
  Failure failure = Failure::none;
  std::string error;
  std::string diagnostics;
};

inline Fault fault(Stage stage, Failure failure, std::string error, std::string diagnostics = {}) {
  return Fault{stage, failure, std::move(error), std::move(diagnostics)};
}

}  // namespace hotmod::loader
