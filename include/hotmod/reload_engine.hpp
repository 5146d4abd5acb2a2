// hotmod/reload_engine.hpp — watch a path, rebuild an artifact from it on
// change, keep the last good one. Generic: the artifact is whatever the build
// function makes (a parsed config, a shader, a compiled script).
//
//   hotmod::ReloadEngine<Shader> engine("shaders/water.glsl",
//       [](const std::filesystem::path& p) -> hotmod::Result<Shader> {
//         return compile_shader(p);   // an Error keeps the current shader
//       });
//   engine.on_reload([](const hotmod::ReloadStats& s) { log(s); });
//   engine.reload();                  // the first build
//   std::jthread rebuilder([&] { engine.watch_and_reload(); });  // rebuild on change
//   draw(*engine.current());          // always the last good artifact
//   ...
//   engine.stop();                    // ends watch_and_reload; join before
//                                     // the engine goes (jthread does)
//
// The runtime's modules are reloaded by the same steps: a change the watcher
// reports, a build (for modules with a build step), then a swap that only
// happens when the build succeeded.
//
// Thread-safety: every member may be called from any thread; reloads run one
// at a time. current() never blocks on a build.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "hotmod/reload_stats.hpp"
#include "hotmod/value.hpp"
#include "hotmod/watcher.hpp"

namespace hotmod {

// The artifact-independent part: watching, timing, callbacks.
class ReloadEngineCore {
 public:
  struct Impl;
  // Runs one build; returns an error to keep the current artifact.
  using Step = std::function<Result<void>()>;
  ReloadEngineCore(std::filesystem::path path, WatchOptions watch, Step step);
  ~ReloadEngineCore();
  ReloadEngineCore(const ReloadEngineCore&) = delete;
  ReloadEngineCore& operator=(const ReloadEngineCore&) = delete;

  ReloadStats reload();
  std::uint64_t on_reload(std::function<void(const ReloadStats&)> callback);
  void remove_on_reload(std::uint64_t id);
  Result<WatchBackend> start();
  void stop();
  bool is_watching() const;
  std::optional<FileChange> wait_for_change();
  std::optional<FileChange> wait_for_change(std::chrono::milliseconds timeout);
  std::vector<FileChange> drain_events();
  Result<void> watch_and_reload();
  const std::filesystem::path& path() const;
  std::uint64_t reload_count() const;

 private:
  std::unique_ptr<Impl> impl_;
};

template <class Artifact>
class ReloadEngine {
 public:
  using BuildFn = std::function<Result<Artifact>(const std::filesystem::path&)>;

  // `path` is a file or a folder (watched recursively, see WatchOptions);
  // watch.paths defaults to {path}. Nothing is built until reload().
  ReloadEngine(std::filesystem::path path, BuildFn build, WatchOptions watch = {})
      : build_(std::move(build)),
        core_(std::move(path), std::move(watch), [this] { return step(); }) {}

  // Builds now. On success the new artifact becomes current(); on failure the
  // previous one stays and ReloadStats::error (and diagnostics) say why
  // (Stage::build, Failure::build_failed).
  ReloadStats reload() { return core_.reload(); }
  // The last artifact built successfully; null before the first.
  std::shared_ptr<const Artifact> current() const {
    std::lock_guard lock(mu_);
    return current_;
  }
  // Called after every reload attempt, on the reloading thread, in the order
  // added; one that throws is logged (WatchOptions::log, else stderr) and the
  // others still run. remove_on_reload() does not wait for a call running on
  // another thread.
  std::uint64_t on_reload(std::function<void(const ReloadStats&)> callback) {
    return core_.on_reload(std::move(callback));
  }
  void remove_on_reload(std::uint64_t id) { core_.remove_on_reload(id); }

  Result<WatchBackend> start() { return core_.start(); }
  void stop() { core_.stop(); }
  bool is_watching() const { return core_.is_watching(); }
  std::optional<FileChange> wait_for_change() { return core_.wait_for_change(); }
  std::optional<FileChange> wait_for_change(std::chrono::milliseconds timeout) {
    return core_.wait_for_change(timeout);
  }
  std::vector<FileChange> drain_events() { return core_.drain_events(); }
  // Blocks until stop(): after each change (and the burst that follows it,
  // drained together) rebuilds once. Starts watching if not started (and
  // returns at once if stop() came first); an error says why watching could
  // not start. Destroying the engine waits for it to return.
  Result<void> watch_and_reload() { return core_.watch_and_reload(); }

  const std::filesystem::path& path() const { return core_.path(); }
  std::uint64_t reload_count() const { return core_.reload_count(); }

 private:
  Result<void> step() {
    Result<Artifact> built = build_(core_.path());
    if (!built.ok()) return built.error();
    auto next = std::make_shared<const Artifact>(std::move(built).value());
    std::lock_guard lock(mu_);
    current_ = std::move(next);
    return {};
  }

  BuildFn build_;
  mutable std::mutex mu_;
  std::shared_ptr<const Artifact> current_;  // guarded by mu_
  ReloadEngineCore core_;                    // last: its thread may call step()
};

}  // namespace hotmod
