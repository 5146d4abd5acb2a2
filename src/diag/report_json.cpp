// The reports as JSON, the shape `--json` prints. Field names follow the
// structs in hotmod/reports.hpp, with the unit as a suffix: "_ms" for
// milliseconds, "_bytes" for sizes.
#include <chrono>
#include <string>
#include <utility>

#include "hotmod/reports.hpp"
#include "text/duration.hpp"

namespace hotmod {

namespace {

Value kind_name(ModuleKind kind) {
  return std::string(to_string(kind));
}

Value timing(const TimingSummary& t) {
  return {
      {"count", t.count}, {"last_ms", t.last_ms}, {"median_ms", t.median_ms}, {"max_ms", t.max_ms}};
}

Value stages(const StageTimes& s) {
  return {{"build_ms", text::to_ms(s.build)}, {"copy_ms", text::to_ms(s.copy)},
          {"open_ms", text::to_ms(s.open)},   {"validate_ms", text::to_ms(s.validate)},
          {"state_ms", text::to_ms(s.state)}, {"hooks_ms", text::to_ms(s.hooks)},
          {"swap_ms", text::to_ms(s.swap)}};
}

Value module_json(const ModulePerformance& m) {
  return {{"name", m.name},
          {"kind", kind_name(m.kind)},
          {"loaded", m.loaded},
          {"load", timing(m.load)},
          {"build", timing(m.build)},
          {"reload", timing(m.reload)},
          {"last_stages", stages(m.last_stages)},
          {"reload_count", m.reload_count},
          {"failed_reloads", m.failed_reloads},
          {"slow", m.slow}};
}

Value kind_json(const KindPerformance& k) {
  return {{"kind", kind_name(k.kind)},
          {"modules", k.modules},
          {"loaded", k.loaded},
          {"average_load_ms", k.average_load_ms},
          {"average_reload_ms", k.average_reload_ms},
          {"reloads", k.reloads},
          {"slow_threshold_ms", k.slow_threshold_ms}};
}

Value module_json(const ModuleMemory& m) {
  return {{"name", m.name},
          {"kind", kind_name(m.kind)},
          {"loaded", m.loaded},
          {"image_bytes", m.image_bytes},
          {"heap_bytes", m.heap_bytes ? Value(*m.heap_bytes) : Value(nullptr)},
          {"state_bytes", m.state_bytes},
          {"total_bytes", m.total()}};
}

}  // namespace

Value to_json(const PerformanceReport& report) {
  Value modules = Value::array();
  for (const ModulePerformance& m : report.modules) modules.push_back(module_json(m));
  Value kinds = Value::array();
  for (const KindPerformance& k : report.kinds) kinds.push_back(kind_json(k));
  return {{"scan", timing(report.scan)},
          {"scan_slow_threshold_ms", report.scan_slow_threshold_ms},
          {"scan_slow", report.scan_slow},
          {"modules", std::move(modules)},
          {"kinds", std::move(kinds)},
          {"slowest", report.slowest ? Value(*report.slowest) : Value(nullptr)}};
}

Value to_json(const MemoryReport& report) {
  Value modules = Value::array();
  for (const ModuleMemory& m : report.modules) modules.push_back(module_json(m));
  Value kinds = Value::array();
  for (const KindMemory& k : report.kinds)
    kinds.push_back({{"kind", kind_name(k.kind)}, {"modules", k.modules}, {"bytes", k.bytes}});
  return {{"modules", std::move(modules)},
          {"kinds", std::move(kinds)},
          {"total_bytes", report.total_bytes},
          {"heap_tracked", report.heap_tracked},
          {"process_rss_bytes", report.process_rss_bytes},
          {"available_bytes", report.available_bytes}};
}

}  // namespace hotmod
