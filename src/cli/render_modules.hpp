// Lists of modules: `hotmod modules` (what discovery found, nothing loaded)
// and the REPL's `.modules` (with what is loaded, its load time and memory).
// Both group by kind — library, source, script — and sort by name.
#pragma once

#include <string>
#include <vector>

#include "cli/render_table.hpp"
#include "hotmod/runtime.hpp"

namespace hotmod::cli {

// Name | Kind | Version | Path (relative to the current folder when below it).
std::string render_listing(std::vector<ModuleInfo> modules, TableStyle style);

// Per kind, a heading with counts ("library: 2 modules, 1 loaded") and
// Name | Version | Loaded | Load time | Memory, from the runtime's reports.
std::string render_loaded(std::vector<ModuleInfo> modules, const PerformanceReport& perf,
                          const MemoryReport& memory, TableStyle style);

// By kind (library, source, script), then by name.
void sort_by_kind(std::vector<ModuleInfo>& modules);

}  // namespace hotmod::cli
