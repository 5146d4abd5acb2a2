// One module's metadata as `hotmod info NAME` and the REPL's `.modinfo NAME`
// print it: one "key: value" line per field, then the exported functions
// with their signatures and docs.
#pragma once

#include <string>

#include "hotmod/runtime.hpp"

namespace hotmod::cli {

std::string render_info(const ModuleInfo& info);

}  // namespace hotmod::cli
