// One line per load or reload attempt, as `hotmod watch` and the REPL print
// them:
//   [OK] Module 'math' reloaded (library, 4.1 ms)
//   [FAILED] Module 'net' kept at version 3: build error (2 errors), see hotmod info net
//   [FAILED] Module 'net' not loaded: on_load threw, see .errors net
#pragma once

#include <string>
#include <string_view>

#include "hotmod/runtime.hpp"

namespace hotmod::cli {

// `see` is where the full story is, followed by the module's name
// ("hotmod info", ".errors"). `colour` paints [OK] and [FAILED].
std::string reload_line(const ReloadStats& stats, ModuleKind kind, std::string_view see,
                        bool colour);

// Why an attempt failed, in a few words: "build error (2 errors)",
// "ABI mismatch", "on_load threw".
std::string failure_summary(const ReloadStats& stats);

}  // namespace hotmod::cli
