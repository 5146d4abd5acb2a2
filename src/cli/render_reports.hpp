// The performance and memory reports as the REPL's `.perfmon` and
// `.memreport`, and `hotmod perfmon` / `hotmod memreport`, print them.
// `unicode` picks the slow mark: "⚠ SLOW" on UTF-8 terminals, "! SLOW"
// elsewhere.
#pragma once

#include <string>

#include "cli/render_table.hpp"
#include "hotmod/reports.hpp"

namespace hotmod::cli {

// Per kind: Module | Load | Reload last / median / max | Reloads | mark,
// then a summary: totals, averages per kind, the slowest module, scans.
std::string render_performance(const PerformanceReport& report, TableStyle style, bool unicode);

// Kind | Modules | Memory, then the top consumers Module | Kind | Image |
// Heap | State | Total, then totals, the process's RSS and what is available.
std::string render_memory(const MemoryReport& report, TableStyle style);

}  // namespace hotmod::cli
