// `.memreport` and `hotmod memreport`: what the loaded modules hold.
#include <fmt/format.h>

#include "cli/render_reports.hpp"
#include "cli/units.hpp"
#include "hotmod/runtime.hpp"

namespace hotmod::cli {
namespace {

// The top consumers shown; the totals still count every module.
constexpr std::size_t kTop = 10;

}  // namespace

std::string render_memory(const MemoryReport& report, TableStyle style) {
  Table kinds({"Kind", "Modules", "Memory"}, {Align::left, Align::right, Align::right});
  for (const KindMemory& k : report.kinds)
    kinds.add({std::string(to_string(k.kind)), std::to_string(k.modules), format_bytes(k.bytes)});

  Table top({"Module", "Kind", "Image", "Heap", "State", "Total"},
            {Align::left, Align::left, Align::right, Align::right, Align::right, Align::right});
  for (std::size_t i = 0; i < report.modules.size() && i < kTop; ++i) {
    const ModuleMemory& m = report.modules[i];
    top.add({m.name, std::string(to_string(m.kind)), format_bytes(m.image_bytes),
             m.heap_bytes ? format_bytes(*m.heap_bytes) : "-", format_bytes(m.state_bytes),
             format_bytes(m.total())});
  }

  std::string out = fmt::format("By kind\n{}\n", kinds.render(style));
  if (report.modules.empty()) {
    out += "No module is loaded.\n";
  } else {
    out += "Top consumers";
    if (report.modules.size() > kTop)
      out += fmt::format(" ({} of {})", kTop, report.modules.size());
    out += fmt::format("\n{}", top.render(style));
  }
  out += fmt::format("\nTotal in modules: {}; process RSS: {}; available: {}\n",
                     format_bytes(report.total_bytes), format_bytes(report.process_rss_bytes),
                     format_bytes(report.available_bytes));
  if (!report.heap_tracked) out += "Heap is counted in dev mode only (--dev).\n";
  return out;
}

}  // namespace hotmod::cli
