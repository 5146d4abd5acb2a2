#include "cli/render_modules.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "cli/cli_runtime.hpp"
#include "cli/units.hpp"

namespace hotmod::cli {
namespace {

constexpr ModuleKind kKinds[] = {ModuleKind::library, ModuleKind::source, ModuleKind::script};

std::string plural(std::size_t n, const char* word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

const ModulePerformance* perf_of(const PerformanceReport& report, const std::string& name) {
  for (const auto& m : report.modules)
    if (m.name == name) return &m;
  return nullptr;
}

const ModuleMemory* memory_of(const MemoryReport& report, const std::string& name) {
  for (const auto& m : report.modules)
    if (m.name == name) return &m;
  return nullptr;
}

}  // namespace

void sort_by_kind(std::vector<ModuleInfo>& modules) {
  std::sort(modules.begin(), modules.end(), [](const ModuleInfo& a, const ModuleInfo& b) {
    if (a.kind != b.kind) return static_cast<int>(a.kind) < static_cast<int>(b.kind);
    return a.name < b.name;
  });
}

std::string render_listing(std::vector<ModuleInfo> modules, TableStyle style) {
  sort_by_kind(modules);
  Table table({"Name", "Kind", "Version", "Path"});
  for (std::size_t i = 0; i < modules.size(); ++i) {
    const ModuleInfo& m = modules[i];
    if (i > 0 && modules[i - 1].kind != m.kind) table.separator();
    table.add({m.name, std::string(to_string(m.kind)), m.version.empty() ? "-" : m.version,
               display_path(m.path)});
  }
  return table.render(style);
}

std::string render_loaded(std::vector<ModuleInfo> modules, const PerformanceReport& perf,
                          const MemoryReport& memory, TableStyle style) {
  sort_by_kind(modules);
  std::string out;
  for (ModuleKind kind : kKinds) {
    std::size_t count = 0, loaded = 0;
    Table table({"Name", "Version", "Loaded", "Load time", "Memory"},
                {Align::left, Align::left, Align::left, Align::right, Align::right});
    for (const ModuleInfo& m : modules) {
      if (m.kind != kind) continue;
      ++count;
      loaded += m.loaded ? 1 : 0;
      const ModulePerformance* p = perf_of(perf, m.name);
      const ModuleMemory* mem = memory_of(memory, m.name);
      table.add({m.name, m.version.empty() ? "-" : m.version, m.loaded ? "yes" : "no",
                 p != nullptr && p->load.count > 0 ? format_ms(p->load.last_ms) : "-",
                 m.loaded && mem != nullptr ? format_bytes(mem->total()) : "-"});
    }
    if (count == 0) continue;
    out += fmt::format("{}{}: {}, {} loaded\n", out.empty() ? "" : "\n", to_string(kind),
                       plural(count, "module"), loaded);
    out += table.render(style);
  }
  return out;
}

}  // namespace hotmod::cli
