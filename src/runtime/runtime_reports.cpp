// Where time and memory go: the measurements every load, reload, build and
// scan leaves (record_attempt, record_scan), the reports built from them,
// the last failure per module, and the Chrome trace of a session.
#include <algorithm>
#include <array>
#include <shared_mutex>

#include <fmt/format.h>

#include "diag/heap_accounting.hpp"
#include "diag/process_memory.hpp"
#include "pin/pin_domain.hpp"
#include "runtime/runtime_impl.hpp"
#include "script/script_module.hpp"
#include "text/duration.hpp"

namespace hotmod {
namespace {

using Clock = std::chrono::steady_clock;

Value stages_json(const StageTimes& s) {
  return {{"build", text::to_ms(s.build)}, {"copy", text::to_ms(s.copy)},
          {"open", text::to_ms(s.open)},   {"validate", text::to_ms(s.validate)},
          {"state", text::to_ms(s.state)}, {"hooks", text::to_ms(s.hooks)},
          {"swap", text::to_ms(s.swap)}};
}

constexpr std::array kKinds{ModuleKind::library, ModuleKind::source, ModuleKind::script};

// Every slot a lookup would see, without holding the registry lock after.
std::vector<std::shared_ptr<registry::Slot>> visible_slots(const runtime::Core& rt) {
  std::vector<std::shared_ptr<registry::Slot>> out;
  std::shared_lock lock(rt.registry_mu);
  for (const auto& [name, slot] : rt.slots)
    if (!slot->hidden()) out.push_back(slot);
  return out;
}

// A versioned copy of `module` is "<store folder>/<module>.<generation>.so".
bool is_copy_of(const std::string& module, const std::filesystem::path& file) {
  const std::string base = file.filename().string();
  if (!base.starts_with(module + ".") || !base.ends_with(".so")) return false;
  const std::string_view digits =
      std::string_view(base).substr(module.size() + 1, base.size() - module.size() - 4);
  return !digits.empty() &&
         std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

double runtime::Core::slow_threshold_ms(ModuleKind kind) const {
  switch (kind) {
    case ModuleKind::library:
      return options.slow.library_ms;
    case ModuleKind::source:
      return options.slow.source_ms;
    case ModuleKind::script:
      return options.slow.script_ms;
  }
  return options.slow.library_ms;
}

void runtime::Core::record_attempt(const ReloadStats& stats, registry::Slot& slot,
                                   bool first_load) {
  {
    std::lock_guard lock(slot.record_mu);
    registry::SlotRecord& r = slot.record;
    (first_load ? r.load : r.reload).record(stats.duration);
    if (stats.stages.build.count() > 0) r.build.record(stats.stages.build);
    r.last_stages = stats.stages;
    r.last_ms = text::to_ms(stats.duration);
    r.state_bytes = slot.state.def.size;
    r.lua = slot.lua;
    if (stats.success) {
      r.last_failure.reset();
    } else {
      ++r.failures;
      r.last_failure = stats;
    }
  }
  if (!trace.active()) return;
  const auto start = Clock::now() - stats.duration;
  const Value module = {{"module", slot.name()}, {"kind", to_string(slot.kind())}};
  if (stats.stages.build.count() > 0)
    trace.complete("build " + slot.name(), "build", start, stats.stages.build, module);
  Value args = module;
  args["success"] = stats.success;
  args["stages_ms"] = stages_json(stats.stages);
  if (!stats.success) args["error"] = stats.error;
  trace.complete((first_load ? "load " : "reload ") + slot.name(), first_load ? "load" : "reload",
                 start, stats.duration, args);
}

void runtime::Core::record_scan(Clock::time_point start, std::chrono::nanoseconds took) {
  {
    std::lock_guard lock(scans_mu);
    scans.record(took);
  }
  if (trace.active()) trace.complete("scan", "scan", start, took, Value::object());
}

std::optional<ReloadStats> Runtime::last_failure(std::string_view name) const {
  if (impl_->forked()) return std::nullopt;  // its locks may be held for good (forked.hpp)
  std::shared_ptr<registry::Slot> slot;
  {
    std::shared_lock lock(impl_->registry_mu);
    auto it = impl_->slots.find(name);
    if (it == impl_->slots.end()) return std::nullopt;
    slot = it->second;
  }
  std::lock_guard lock(slot->record_mu);
  return slot->record.last_failure;
}

PerformanceReport Runtime::performance_report() const {
  PerformanceReport report;
  for (const auto& slot : visible_slots(*impl_)) {
    ModulePerformance m;
    m.name = slot->name();
    m.kind = slot->kind();
    m.loaded = slot->life.ever_loaded();
    m.reload_count = slot->reload_count.load();
    {
      std::lock_guard lock(slot->record_mu);
      const registry::SlotRecord& r = slot->record;
      m.load = r.load.summary();
      m.build = r.build.summary();
      m.reload = r.reload.summary();
      m.last_stages = r.last_stages;
      m.failed_reloads = r.failures;
      m.slow = (m.load.count + m.reload.count) > 0 && r.last_ms > impl_->slow_threshold_ms(m.kind);
    }
    report.modules.push_back(std::move(m));
  }
  std::sort(report.modules.begin(), report.modules.end(), [](const auto& a, const auto& b) {
    return a.kind != b.kind ? a.kind < b.kind : a.name < b.name;
  });

  double slowest_ms = -1;
  for (ModuleKind kind : kKinds) {
    KindPerformance k;
    k.kind = kind;
    k.slow_threshold_ms = impl_->slow_threshold_ms(kind);
    double load_sum = 0, reload_sum = 0;
    std::size_t load_n = 0, reload_n = 0;
    for (const ModulePerformance& m : report.modules) {
      if (m.kind != kind) continue;
      ++k.modules;
      k.loaded += m.loaded ? 1 : 0;
      k.reloads += m.reload_count;
      if (m.load.count > 0) load_sum += m.load.last_ms, ++load_n;
      if (m.reload.count > 0) reload_sum += m.reload.median_ms, ++reload_n;
      const double last = m.reload.count > 0 ? m.reload.last_ms : m.load.last_ms;
      if (m.load.count + m.reload.count > 0 && last > slowest_ms) {
        slowest_ms = last;
        report.slowest = m.name;
      }
    }
    k.average_load_ms = load_n > 0 ? load_sum / static_cast<double>(load_n) : 0;
    k.average_reload_ms = reload_n > 0 ? reload_sum / static_cast<double>(reload_n) : 0;
    report.kinds.push_back(k);
  }
  {
    std::lock_guard lock(impl_->scans_mu);
    report.scan = impl_->scans.summary();
  }
  report.scan_slow_threshold_ms = impl_->options.slow.scan_ms;
  report.scan_slow = report.scan.count > 0 && report.scan.last_ms > report.scan_slow_threshold_ms;
  return report;
}

MemoryReport Runtime::memory_report() const {
  MemoryReport report;
  report.heap_tracked = impl_->dev_mode.load() && diag::heap_tracking();
  const std::map<std::string, std::uint64_t> mapped = diag::mapped_bytes_by_file();
  const std::filesystem::path store = impl_->store.folder();
  for (const auto& slot : visible_slots(*impl_)) {
    if (!slot->life.ever_loaded()) continue;
    ModuleMemory m;
    m.name = slot->name();
    m.kind = slot->kind();
    m.loaded = true;
    std::shared_ptr<script::ScriptModule> lua;
    {
      std::lock_guard lock(slot->record_mu);
      m.state_bytes = slot->record.state_bytes;
      lua = slot->record.lua;
    }
    if (lua) {  // the interpreter's allocator knows exactly, in any mode
      m.heap_bytes = lua->heap_bytes();
      m.state_bytes = lua->state_bytes();
    } else {
      // A source module's build opens where the cache keeps it: that file too.
      std::string in_place;
      {
        Pin pin(&pin::domain());  // the version read stays while its path is copied
        const registry::Version* v = slot->current.load(std::memory_order_acquire);
        if (v != nullptr && v->in_place) in_place = v->copy.string();
      }
      for (const auto& [file, bytes] : mapped) {
        const std::filesystem::path p(file);
        if ((p.parent_path() == store && is_copy_of(m.name, p)) || file == in_place)
          m.image_bytes += bytes;
      }
      if (report.heap_tracked) {
        const std::int64_t held = diag::heap_cell(m.name)->bytes.load(std::memory_order_relaxed);
        m.heap_bytes = static_cast<std::uint64_t>(std::max<std::int64_t>(held, 0));
      }
    }
    report.modules.push_back(std::move(m));
  }
  std::sort(report.modules.begin(), report.modules.end(), [](const auto& a, const auto& b) {
    return a.total() != b.total() ? a.total() > b.total() : a.name < b.name;
  });
  for (ModuleKind kind : kKinds) {
    KindMemory k;
    k.kind = kind;
    for (const ModuleMemory& m : report.modules) {
      if (m.kind != kind) continue;
      ++k.modules;
      k.bytes += m.total();
    }
    report.kinds.push_back(k);
    report.total_bytes += k.bytes;
  }
  report.process_rss_bytes = diag::process_rss_bytes();
  report.available_bytes = diag::available_memory_bytes();
  return report;
}

Result<std::filesystem::path> Runtime::start_trace(const std::filesystem::path& file) {
  if (impl_->trace.active()) impl_->trace.close();
  Result<std::filesystem::path> opened = impl_->trace.open(file);
  if (opened.ok())
    impl_->log.info(fmt::format("tracing builds, loads and reloads to {}", opened->string()));
  return opened;
}

std::size_t Runtime::stop_trace() {
  if (!impl_->trace.active()) return 0;
  return impl_->trace.close();
}

}  // namespace hotmod
