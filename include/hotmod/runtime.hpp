// hotmod/runtime.hpp — what a host program embeds.
//
//   hotmod::RuntimeOptions opts;
//   opts.module_paths = {"build/modules"};
//   hotmod::Runtime rt(opts);
//   auto greeter = rt.module("greeter").value();   // opened on first use
//   greeter.call("greet", "Ada", 1);
//   rt.reload("greeter");                          // new code, same state
//
// Thread-safety: every member function may be called from any thread. Calls
// into modules (Module::call, Ref<I>) never block on a reload; a reload waits
// only for other reloads of the same module. Events and on_reload callbacks
// are delivered after the module's lock is released, so subscribers may call
// back into the runtime. Do not destroy the runtime from inside a call into
// a module.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hotmod/context.hpp"
#include "hotmod/events.hpp"
#include "hotmod/handle.hpp"
#include "hotmod/options.hpp"
#include "hotmod/pin.hpp"
#include "hotmod/ref.hpp"
#include "hotmod/reload_stats.hpp"
#include "hotmod/reports.hpp"
#include "hotmod/value.hpp"
#include "hotmod/watcher.hpp"

namespace hotmod {

namespace detail {
struct RuntimeCore;  // the runtime's internals (src/runtime/)
}  // namespace detail

struct RefreshReport {
  std::vector<ReloadStats> reloaded;  // loaded modules whose file changed
  std::vector<std::string> discovered;
  std::vector<std::string> vanished;
  // Changed, but written less than 100 ms ago: left for the next refresh.
  std::vector<std::string> unsettled;
};

struct FunctionInfo {
  std::string name;
  std::string signature;
  std::string doc;
};

struct ModuleInfo {
  std::string name;
  ModuleKind kind = ModuleKind::library;
  std::filesystem::path path;
  bool loaded = false;
  std::string version;  // unloaded modules: from the file's ABI record, without opening it
  std::string description;
  std::chrono::system_clock::time_point load_time{};
  std::uint64_t reload_count = 0;
  std::vector<FunctionInfo> functions;
  std::vector<std::string> interfaces;
  std::vector<std::string> capabilities;
  std::string state_type;
  std::size_t state_size = 0;
  std::size_t lingering_images = 0;  // old versions the loader kept in memory
  // Modules it imports, and modules importing it (directly), by name.
  std::vector<std::string> imports;
  std::vector<std::string> dependents;
};

class Runtime {
 public:
  explicit Runtime(RuntimeOptions options);
  ~Runtime();  // unloads every module (on_unload, then dlclose)
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  EventBus& bus();

  // A handle on a module, loading it on first use. Concurrent first uses of
  // the same module load it exactly once.
  Result<Module> module(std::string_view name);
  // A typed reference to the module's implementation of I.
  template <class I>
  Result<Ref<I>> ref(std::string_view module) {
    auto cell = interface(module, type_name<I>());
    if (!cell.ok()) return cell.error();
    return Ref<I>(std::move(cell.value()));
  }

  // Loads a new version from the module's file: see ReloadStats. A failure at
  // any stage leaves the running version, its state and subscriptions as
  // they were before the reload began: if on_load(new) throws, the state is
  // restored to its copy taken before on_unload(old), so changes on_unload or
  // concurrent calls made meanwhile are discarded. State that cannot be
  // copied is kept only by a new version without on_load; otherwise the
  // reload fails (Failure::state_not_copyable) before any hook runs.
  // Reloading a module never loaded loads it.
  ReloadStats reload(std::string_view name);
  // Compiles a source module into the build cache without loading it (a
  // cache hit compiles nothing). Works in production mode too: this is how
  // `hotmod build` prepares a production deployment. The stats carry the
  // compiler's output and parsed messages when it fails (Stage::build).
  ReloadStats build(std::string_view name);
  // Reloads every loaded module, each after the modules it imports;
  // reports each, failures included.
  std::vector<ReloadStats> reload_all();
  // Rescans the module paths, reloads loaded modules whose file changed, and
  // reports new and vanished modules (a vanished module keeps running). A
  // file modified in the last 100 ms is left for the next refresh (a build
  // may still be writing it), and a file whose reload failed is retried only
  // once it changes again.
  RefreshReport refresh();
  // safe_point policy: commits every prepared version; call e.g. once a frame.
  std::vector<ReloadStats> apply_pending();

  std::vector<ModuleInfo> modules() const;  // every discovered module
  std::optional<ModuleInfo> info(std::string_view name) const;
  // The module's last failed load, reload or build, if its last attempt
  // failed (cleared by the next success).
  std::optional<ReloadStats> last_failure(std::string_view name) const;
  // Whether `module` is granted `capability` (see RuntimeOptions).
  bool capability_granted(std::string_view module, std::string_view capability) const;

  // Where time and memory go (see hotmod/reports.hpp).
  PerformanceReport performance_report() const;
  MemoryReport memory_report() const;
  // Writes every build, load and reload from now on to `file` as Chrome
  // trace-event JSON, until stop_trace() (or the runtime ends). Replaces a
  // trace already running.
  Result<std::filesystem::path> start_trace(const std::filesystem::path& file);
  // Closes the trace file; returns how many events it holds (0 when no trace ran).
  std::size_t stop_trace();

  // Called after every load and reload attempt of a known module, on the
  // reloading (or apply_pending) thread. Unknown names are only reported in
  // the returned ReloadStats. Callbacks run in the order added; one that
  // throws is logged and the others still run; a callback may add or remove
  // callbacks. After remove_on_reload() returns the callback is not started
  // again (one running on another thread may still be finishing).
  using ReloadCallback = std::function<void(const ReloadStats&)>;
  std::uint64_t on_reload(ReloadCallback callback);
  void remove_on_reload(std::uint64_t id);

  // Dev mode on or off while running: starts or stops watching (when hot
  // reload is on) and switches logging detail (see RuntimeOptions::dev_mode).
  // May be called from an on_reload callback or an event subscriber; not
  // from a module's own hooks.
  void set_dev_mode(bool on);
  bool dev_mode() const;
  // Hot reload on or off; it takes effect in dev mode only.
  void set_hot_reload(bool on);
  bool hot_reload() const;
  // The backend watching the module files, or nullopt when nothing watches
  // (production mode, or hot reload off).
  std::optional<WatchBackend> watching() const;

  // The barrier after changing files (as watchman's cookie files): returns
  // true once every change made to the watched files before the call has
  // been seen by the watcher and handled — the builds and reloads it started
  // finished, their events and on_reload callbacks delivered. Returns false
  // at once when nothing watches (production mode, hot reload off) or when
  // called from the watcher's own thread (an on_reload callback, an event
  // subscriber), and after `limit` otherwise.
  bool sync(std::chrono::milliseconds limit = std::chrono::seconds(60));

  // Blocks until every retired version has been unloaded (tests, shutdown).
  // From inside a call into a module or an event delivery it returns at once:
  // the versions it would wait for include the one calling it.
  void wait_for_unloads();

 private:
  // What ref<I>() holds: the cell the module's implementation of `interface` is published in.
  Result<std::shared_ptr<const detail::InterfaceCell>> interface(std::string_view module,
                                                                 std::string_view interface);

  std::unique_ptr<detail::RuntimeCore> impl_;
};

}  // namespace hotmod
