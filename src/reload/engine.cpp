// ReloadEngineCore: a FileWatcher, a build step and the bookkeeping around
// them (timing, counters, callbacks), independent of the artifact's type.
#include <fmt/format.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>

#include "events/callback_list.hpp"
#include "hotmod/reload_engine.hpp"

namespace hotmod {

struct ReloadEngineCore::Impl {
  Impl(std::filesystem::path p, WatchOptions w, Step s)
      : path(std::move(p)),
        step(std::move(s)),
        callbacks([log = w.log](std::string_view what, const ReloadStats&) {
          const std::string message = fmt::format("an on_reload callback threw: {}", what);
          if (log)
            log(LogLevel::error, message);
          else  // one call: lines from threads do not interleave
            std::fputs(fmt::format("hotmod: error: {}\n", message).c_str(), stderr);
        }),
        watcher([&] {
          if (w.paths.empty()) w.paths = {path};
          return std::move(w);
        }()) {}

  std::filesystem::path path;
  Step step;
  // Logged through WatchOptions::log, else to stderr.
  events::CallbackList<const ReloadStats&> callbacks;
  FileWatcher watcher;
  std::mutex reload_mu;  // one reload at a time
  std::atomic<std::uint64_t> reloads{0};
  // Calls running in reload() or watch_and_reload(): the destructor waits
  // for them, so a thread still inside never sees a destroyed engine.
  std::mutex active_mu;
  std::condition_variable idle;
  int active = 0;        // guarded by active_mu
  bool closing = false;  // guarded by active_mu
  bool stopped = false;  // stop() was called: watch_and_reload does not restart it
};

ReloadEngineCore::ReloadEngineCore(std::filesystem::path path, WatchOptions watch, Step step)
    : impl_(std::make_unique<Impl>(std::move(path), std::move(watch), std::move(step))) {}

namespace {
// Counts a call in; false once the engine is being destroyed.
class Active {
 public:
  explicit Active(ReloadEngineCore::Impl& e) : e_(e) {
    std::lock_guard lock(e_.active_mu);
    in_ = !e_.closing;
    if (in_) ++e_.active;
  }
  ~Active() {
    if (!in_) return;
    std::lock_guard lock(e_.active_mu);
    if (--e_.active == 0) e_.idle.notify_all();
  }
  Active(const Active&) = delete;
  Active& operator=(const Active&) = delete;
  bool in() const { return in_; }

 private:
  ReloadEngineCore::Impl& e_;
  bool in_ = false;
};
}  // namespace

ReloadEngineCore::~ReloadEngineCore() {
  {
    std::lock_guard lock(impl_->active_mu);
    impl_->closing = true;
  }
  impl_->watcher.stop();  // ends watch_and_reload's wait
  std::unique_lock lock(impl_->active_mu);
  impl_->idle.wait(lock, [&] { return impl_->active == 0; });
}

ReloadStats ReloadEngineCore::reload() {
  ReloadStats stats;
  stats.module = impl_->path.string();
  Active active(*impl_);
  if (!active.in()) {
    stats.stage = Stage::build;
    stats.failure = Failure::shutting_down;
    stats.error = fmt::format("the reload engine for '{}' is being destroyed", stats.module);
    return stats;
  }
  {
    std::lock_guard lock(impl_->reload_mu);
    const auto start = std::chrono::steady_clock::now();
    Result<void> built;
    try {
      built = impl_->step();
    } catch (const std::exception& e) {
      built = Error{Stage::build, Failure::build_failed,
                    fmt::format("the build function threw: {}", e.what())};
    } catch (...) {
      built = Error{Stage::build, Failure::build_failed,
                    "the build function threw a non-standard exception"};
    }
    stats.duration = std::chrono::steady_clock::now() - start;
    stats.first_load = impl_->reloads.load() == 0 && built.ok();
    if (!built.ok()) {
      stats.stage = Stage::build;
      // The build step's own reason when it gave one (io_error, ...).
      stats.failure =
          built.error().failure != Failure::none ? built.error().failure : Failure::build_failed;
      stats.error = built.error().message;
      stats.diagnostics = built.error().diagnostics;
    } else {
      stats.success = true;
      impl_->reloads.fetch_add(1);
    }
    stats.reload_count = impl_->reloads.load();
  }
  impl_->callbacks.call(stats);
  return stats;
}

std::uint64_t ReloadEngineCore::on_reload(std::function<void(const ReloadStats&)> callback) {
  return impl_->callbacks.add(std::move(callback));
}

void ReloadEngineCore::remove_on_reload(std::uint64_t id) {
  impl_->callbacks.remove(id);
}

Result<WatchBackend> ReloadEngineCore::start() {
  {
    std::lock_guard lock(impl_->active_mu);
    impl_->stopped = false;
  }
  return impl_->watcher.start();
}
void ReloadEngineCore::stop() {
  {
    std::lock_guard lock(impl_->active_mu);
    impl_->stopped = true;
  }
  impl_->watcher.stop();
}
bool ReloadEngineCore::is_watching() const {
  return impl_->watcher.is_watching();
}
std::optional<FileChange> ReloadEngineCore::wait_for_change() {
  return impl_->watcher.wait_for_change();
}
std::optional<FileChange> ReloadEngineCore::wait_for_change(std::chrono::milliseconds timeout) {
  return impl_->watcher.wait_for_change(timeout);
}
std::vector<FileChange> ReloadEngineCore::drain_events() {
  return impl_->watcher.drain_events();
}
const std::filesystem::path& ReloadEngineCore::path() const {
  return impl_->path;
}
std::uint64_t ReloadEngineCore::reload_count() const {
  return impl_->reloads.load();
}

Result<void> ReloadEngineCore::watch_and_reload() {
  Active active(*impl_);
  if (!active.in())
    return Error{Stage::watch, Failure::shutting_down, "the reload engine is being destroyed"};
  {
    std::lock_guard lock(impl_->active_mu);
    if (impl_->stopped) return {};  // stopped before this loop began
  }
  if (!impl_->watcher.is_watching()) {
    Result<WatchBackend> started = impl_->watcher.start();
    if (!started.ok()) return started.error();
  }
  // A deleted file is not a reason to rebuild: the last artifact stays until
  // the file is back.
  while (auto change = impl_->watcher.wait_for_change()) {
    bool rebuild = change->kind != ChangeKind::deleted;
    for (const FileChange& more : impl_->watcher.drain_events())
      rebuild = rebuild || more.kind != ChangeKind::deleted;
    if (rebuild) reload();
  }
  return {};
}

}  // namespace hotmod
