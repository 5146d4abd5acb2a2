// FileWatcher: the public face. Owns the watcher's thread, the queue of
// events for wait_for_change()/drain_events(), and the callbacks.
//
// The state the thread uses lives in a shared `State`, so a watcher
// destroyed from its own callback (which cannot join its own thread) leaves
// the thread something valid to finish with.
#include <fmt/format.h>

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "events/callback_list.hpp"
#include "hotmod/watcher.hpp"
#include "watch/engine.hpp"
#include "watch/notices.hpp"
#include "watch/watch_loop.hpp"
#include "watch/watcher_threads.hpp"

namespace hotmod {
// Not an anonymous namespace: FileWatcher::Impl holds a State, and a class
// with a member of an internal type draws -Wsubobject-linkage once this file
// is compiled inside another (a unity build).
namespace file_watcher_state {

std::atomic<std::size_t> threads_running{0};

struct State {
  explicit State(WatchOptions opts)
      : options(std::move(opts)),
        notices(options.log),
        callbacks([this](std::string_view what, const FileChange&) {
          notices.say(LogLevel::error, fmt::format("a change callback threw: {}", what));
        }) {}

  const WatchOptions options;
  watch::Notices notices;  // watcher thread only
  watch::StopSignal stop;
  std::atomic<std::size_t> polled{0};

  std::mutex mu;  // guards everything down to `queue`
  std::condition_variable changed;
  bool ready = false;  // the current run finished starting
  std::optional<Result<WatchBackend>> started;
  bool watching = false;
  WatchBackend backend = WatchBackend::automatic;
  std::deque<FileChange> queue;

  events::CallbackList<const FileChange&> callbacks;

  void deliver(std::vector<FileChange>&& events);
  void call(const FileChange& change);
  void run();
};

// Which State's thread this is, so that stop(), start() and
// remove_on_change() called from a callback do not wait for themselves.
thread_local const State* current_watcher = nullptr;

void State::deliver(std::vector<FileChange>&& events) {
  {
    std::lock_guard lock(mu);
    if (stop.requested()) return;
    // One batch under one lock: a waiter that sees an event sees everything
    // delivered with it.
    for (const FileChange& change : events) {
      if (options.max_queued == 0) break;
      if (queue.size() >= options.max_queued) queue.pop_front();
      queue.push_back(change);
    }
  }
  changed.notify_all();
  for (const FileChange& change : events) {
    if (stop.requested()) return;
    call(change);
  }
}

void State::call(const FileChange& change) {
  callbacks.call_if([&](std::monostate) { return !stop.requested(); }, change);
}

void State::run() {
  current_watcher = this;
  auto started_with = [this](const Result<WatchBackend>& result) {
    {
      std::lock_guard lock(mu);
      started = result;
      ready = true;
      watching = result.ok() && !stop.requested();
      if (result.ok()) backend = result.value();
    }
    changed.notify_all();
  };
  try {
    watch::Engine engine(
        options, notices, [this](std::vector<FileChange>&& events) { deliver(std::move(events)); },
        polled);
    watch::run_loop(engine, stop, notices, started_with);
  } catch (const std::exception& e) {
    std::lock_guard lock(mu);
    if (!ready)
      started =
          Error{Stage::watch, Failure::watch_failed, fmt::format("cannot start: {}", e.what())};
    ready = true;
  }
  {
    std::lock_guard lock(mu);
    watching = false;
  }
  changed.notify_all();
  current_watcher = nullptr;
  threads_running.fetch_sub(1, std::memory_order_release);  // last: the engine and loop are gone
}

}  // namespace file_watcher_state

using namespace file_watcher_state;

std::size_t watch::watcher_threads_running() {
  return threads_running.load(std::memory_order_acquire);
}

struct FileWatcher::Impl {
  std::shared_ptr<State> state;
  std::mutex lifecycle_mu;  // serialises start/stop from outside the watcher's thread
  std::thread thread;       // guarded by lifecycle_mu

  bool on_own_thread() const { return current_watcher == state.get(); }
  void request_stop() {
    state->stop.request();
    {
      std::lock_guard lock(state->mu);
      state->watching = false;
    }
    state->changed.notify_all();
  }
};

FileWatcher::FileWatcher(WatchOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->state = std::make_shared<State>(std::move(options));
}

FileWatcher::~FileWatcher() {
  if (impl_->on_own_thread()) {
    // Destroyed from its own callback: it cannot join itself. The thread
    // holds the state and winds down on its own.
    impl_->request_stop();
    std::lock_guard lock(impl_->lifecycle_mu);
    if (impl_->thread.joinable()) impl_->thread.detach();
    return;
  }
  stop();
}

Result<WatchBackend> FileWatcher::start() {
  State& s = *impl_->state;
  if (impl_->on_own_thread()) {
    std::lock_guard lock(s.mu);
    if (s.watching) return s.backend;
    return Error{Stage::watch, Failure::watch_failed,
                 "start() from the watcher's own callback after stop(): the stopping "
                 "thread cannot be restarted from inside itself; start it again from "
                 "another thread"};
  }
  std::lock_guard life(impl_->lifecycle_mu);
  {
    std::lock_guard lock(s.mu);
    if (s.watching) return s.backend;
  }
  if (impl_->thread.joinable()) impl_->thread.join();  // stopped from a callback earlier
  s.stop.reset();
  {
    std::lock_guard lock(s.mu);
    s.ready = false;
    s.started.reset();
  }
  std::shared_ptr<State> state = impl_->state;
  threads_running.fetch_add(1, std::memory_order_relaxed);
  impl_->thread = std::thread([state] { state->run(); });
  std::unique_lock lock(s.mu);
  s.changed.wait(lock, [&] { return s.ready; });
  Result<WatchBackend> result = *s.started;
  lock.unlock();
  if (!result.ok()) impl_->thread.join();
  return result;
}

void FileWatcher::stop() {
  if (impl_->on_own_thread()) {
    impl_->request_stop();  // the thread ends after this callback returns
    return;
  }
  std::lock_guard life(impl_->lifecycle_mu);
  impl_->request_stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

bool FileWatcher::is_watching() const {
  std::lock_guard lock(impl_->state->mu);
  return impl_->state->watching;
}

std::size_t FileWatcher::polled_folders() const {
  return impl_->state->polled.load(std::memory_order_relaxed);
}

std::optional<FileChange> FileWatcher::wait_for_change() {
  State& s = *impl_->state;
  std::unique_lock lock(s.mu);
  s.changed.wait(lock, [&] { return !s.queue.empty() || !s.watching; });
  if (s.queue.empty()) return std::nullopt;
  FileChange change = std::move(s.queue.front());
  s.queue.pop_front();
  return change;
}

std::optional<FileChange> FileWatcher::wait_for_change(std::chrono::milliseconds timeout) {
  State& s = *impl_->state;
  std::unique_lock lock(s.mu);
  s.changed.wait_for(lock, timeout, [&] { return !s.queue.empty() || !s.watching; });
  if (s.queue.empty()) return std::nullopt;
  FileChange change = std::move(s.queue.front());
  s.queue.pop_front();
  return change;
}

std::vector<FileChange> FileWatcher::drain_events() {
  State& s = *impl_->state;
  std::lock_guard lock(s.mu);
  std::vector<FileChange> events(std::make_move_iterator(s.queue.begin()),
                                 std::make_move_iterator(s.queue.end()));
  s.queue.clear();
  return events;
}

std::uint64_t FileWatcher::on_change(Callback callback) {
  return impl_->state->callbacks.add(std::move(callback));
}

void FileWatcher::remove_on_change(std::uint64_t id) {
  impl_->state->callbacks.remove_and_wait(id);
}

const WatchOptions& FileWatcher::options() const {
  return impl_->state->options;
}

}  // namespace hotmod
