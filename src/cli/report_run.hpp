// What `hotmod perfmon` and `hotmod memreport` share: a runtime in dev
// mode (unless --no-dev: heap counts and stage timings need it), without a
// watcher, with the named modules — or every discovered one — loaded.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cli/global_options.hpp"
#include "hotmod/runtime.hpp"

namespace hotmod::cli {

struct ReportRun {
  std::unique_ptr<Runtime> runtime;  // null after a usage or configuration error
  int exit_code = 0;                 // 2 for those; 1 when a module did not load
};

// Loads the modules; a module that does not load gets its [FAILED] line on
// stderr and the run's exit code becomes 1, the others are still reported.
ReportRun load_for_report(const GlobalOptions& global, const std::vector<std::string>& names);

}  // namespace hotmod::cli
