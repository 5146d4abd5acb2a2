// Dev mode and production mode: whether a watcher reloads modules on save,
// and the one line at startup (and on every switch) that says which it is.
#include <fmt/format.h>

#include "contain/contain.hpp"
#include "diag/heap_accounting.hpp"
#include "diag/stack_trace.hpp"
#include "runtime/auto_reload.hpp"
#include "runtime/runtime_impl.hpp"

namespace hotmod {

void runtime::Core::apply_mode() {
  std::shared_ptr<runtime::AutoReloader> retired;  // destroyed after mode_mu is released
  {
    std::lock_guard lock(mode_mu);
    const bool dev = dev_mode.load();
    if (dev != holds_traces) {  // stack traces for crashes and escaping exceptions
      holds_traces = dev;
      if (dev) {
        diag::hold_traces();
        diag::install_crash_handlers();
      } else {
        diag::release_traces();
      }
    }
    const bool contain = options.contain_crashes == RuntimeOptions::Containment::always ||
                         (dev && options.contain_crashes == RuntimeOptions::Containment::dev);
    if (contain != holds_containment) {  // a crash in module code fails the call
      holds_containment = contain;
      containing.store(contain);
      if (contain)
        contain::hold();
      else
        contain::release();
    }
    if (dev != holds_heap) {  // heap bytes per module, for memory_report()
      holds_heap = dev;
      if (dev)
        diag::hold_heap_tracking();
      else
        diag::release_heap_tracking();
    }
    const bool want = dev && hot_reload.load();
    if (!want) {
      const bool was_watching = auto_reloader != nullptr;
      if (auto_reloader && auto_reloader->on_worker_thread()) {
        auto_reloader->stop();  // asks its worker (this thread) to finish
        stopped_reloaders.push_back(std::move(auto_reloader));
      }
      retired = std::move(auto_reloader);
      {
        std::lock_guard w(watching_mu);
        watching.reset();
      }
      if (!dev) {
        log.info("production mode: hot reload off, no watcher; modules load once");
      } else {
        log.info("dev mode: hot reload off");
        log.debug(
            "hot reload is off: changes to module files are ignored (turn it on with "
            "\"hot_reload\": true, HOTMOD_HOT_RELOAD=1 or Runtime::set_hot_reload)");
      }
      if (was_watching) log.debug("stopped watching the module paths");
    } else if (!auto_reloader) {
      auto reloader = std::make_shared<runtime::AutoReloader>(*this);
      Result<WatchBackend> started = reloader->start();
      if (!started.ok()) {
        log.error(fmt::format(
            "dev mode: cannot watch the module paths, so modules will not reload on save: {}; "
            "try \"watch\": {{\"backend\": \"polling\"}} in hotmod.json, or call "
            "Runtime::refresh() yourself",
            started.error().message));
        retired = std::move(reloader);
      } else {
        auto_reloader = std::move(reloader);
        {
          std::lock_guard w(watching_mu);
          watching = started.value();
        }
        std::string paths;
        for (const auto& p : options.module_paths)
          paths += (paths.empty() ? "" : ", ") + p.string();
        log.info(fmt::format("dev mode: hot reload on ({} watcher, debounce {} ms) over {}",
                             to_string(started.value()), options.debounce.count(),
                             paths.empty() ? std::string("no module paths") : paths));
      }
    }
  }
  // Stopped here, not when the last reference goes (a sync() waiting on
  // another thread may hold one): joins its worker, with no runtime lock held.
  if (retired) retired->stop();
  retired.reset();
}

}  // namespace hotmod
