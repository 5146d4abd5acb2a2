// `.perfmon` and `hotmod perfmon`: where load and reload time goes.
#include <fmt/format.h>

#include <cstdio>

#include "cli/render_reports.hpp"
#include "cli/units.hpp"
#include "hotmod/runtime.hpp"

namespace hotmod::cli {
namespace {

std::string number(double ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", ms);
  return text;
}

std::string reload_cell(const TimingSummary& t) {
  if (t.count == 0) return "-";
  return fmt::format("{} / {} / {}", number(t.last_ms), number(t.median_ms), format_ms(t.max_ms));
}

std::string reloads_cell(const ModulePerformance& m) {
  std::string out = std::to_string(m.reload_count);
  if (m.failed_reloads > 0) out += fmt::format(" ({} failed)", m.failed_reloads);
  return out;
}

std::string kind_table(const PerformanceReport& report, const KindPerformance& kind,
                       TableStyle style, const std::string& slow) {
  Table table({"Module", "Load", "Reload last / median / max", "Reloads", ""},
              {Align::left, Align::right, Align::right, Align::right, Align::left});
  for (const ModulePerformance& m : report.modules) {
    if (m.kind != kind.kind) continue;
    table.add({m.name, m.load.count > 0 ? format_ms(m.load.last_ms) : "-", reload_cell(m.reload),
               reloads_cell(m), m.slow ? slow : ""});
  }
  return fmt::format("{}: {} module{}, {} loaded (slow above {})\n{}", to_string(kind.kind),
                     kind.modules, kind.modules == 1 ? "" : "s", kind.loaded,
                     format_ms(kind.slow_threshold_ms), table.render(style));
}

std::string summary(const PerformanceReport& report, const std::string& slow) {
  std::size_t modules = 0, loaded = 0;
  std::uint64_t reloads = 0;
  for (const KindPerformance& k : report.kinds) {
    modules += k.modules;
    loaded += k.loaded;
    reloads += k.reloads;
  }
  std::string out = fmt::format("Summary\n  {} module{}, {} loaded, {} reload{}\n", modules,
                                modules == 1 ? "" : "s", loaded, reloads, reloads == 1 ? "" : "s");
  for (const KindPerformance& k : report.kinds)
    if (k.modules > 0)
      out += fmt::format("  {}: average load {}, average reload {}\n", to_string(k.kind),
                         format_ms(k.average_load_ms), format_ms(k.average_reload_ms));
  if (report.slowest) {
    for (const ModulePerformance& m : report.modules)
      if (m.name == *report.slowest) {
        const double ms = std::max(m.load.last_ms, m.reload.last_ms);
        out += fmt::format("  slowest: {} ({}, {})\n", m.name, to_string(m.kind), format_ms(ms));
      }
  }
  const TimingSummary& s = report.scan;
  out += fmt::format("  scans of the module folders: {}", s.count);
  if (s.count > 0)
    out += fmt::format(", last {}, median {}, max {}", format_ms(s.last_ms), format_ms(s.median_ms),
                       format_ms(s.max_ms));
  out += fmt::format(" (slow above {})", format_ms(report.scan_slow_threshold_ms));
  if (report.scan_slow) out += fmt::format("  {}", slow);
  out += '\n';
  return out;
}

}  // namespace

std::string render_performance(const PerformanceReport& report, TableStyle style, bool unicode) {
  const std::string slow = unicode ? "⚠ SLOW" : "! SLOW";
  std::string out;
  for (const KindPerformance& kind : report.kinds)
    if (kind.modules > 0) out += kind_table(report, kind, style, slow) + "\n";
  return out + summary(report, slow);
}

}  // namespace hotmod::cli
