#include "watch/watch_loop.hpp"

#include <fmt/format.h>
#include <uv.h>

#include <exception>
#include <string>

#include "watch/engine.hpp"
#include "watch/notices.hpp"

namespace hotmod::watch {

void StopSignal::request() {
  std::lock_guard lock(mu_);
  if (requested_.exchange(true, std::memory_order_acq_rel)) return;
  if (wake_ != nullptr) uv_async_send(wake_);
}

void StopSignal::reset() {
  std::lock_guard lock(mu_);
  requested_.store(false, std::memory_order_release);
  wake_ = nullptr;
}

bool StopSignal::attach(uv_async_s* wake) {
  std::lock_guard lock(mu_);
  if (requested_.load(std::memory_order_acquire)) return false;
  wake_ = wake;
  return true;
}

void StopSignal::detach() {
  std::lock_guard lock(mu_);
  wake_ = nullptr;
}

namespace {

struct Loop {
  uv_loop_t loop{};
  uv_poll_t kernel{};
  uv_timer_t due{};
  uv_timer_t poll{};
  uv_async_t wake{};
  bool has_kernel = false;
  bool closing = false;
  Engine* engine = nullptr;
  StopSignal* stop = nullptr;
  Notices* notices = nullptr;
};

Loop& loop_of(uv_handle_t* handle) {
  return *static_cast<Loop*>(handle->data);
}

// The engine's work runs inside libuv callbacks, which must not throw.
template <class F>
void guarded(Loop& l, F&& work) {
  try {
    work();
  } catch (const std::exception& e) {
    l.notices->say(LogLevel::error, fmt::format("internal error, continuing: {}", e.what()));
  } catch (...) {
    l.notices->say(LogLevel::error, "internal error, continuing");
  }
}

std::uint64_t ms_until(Clock::time_point when) {
  auto left = when - Clock::now();
  if (left <= Clock::duration::zero()) return 0;
  // Rounded up: libuv's timers count whole milliseconds from a loop time that
  // is itself rounded down, so the timer fires within a millisecond either
  // side of `when`; on_due takes what is due within the next millisecond, so
  // an early wake-up delivers instead of waiting a further one.
  return static_cast<std::uint64_t>(std::chrono::ceil<std::chrono::milliseconds>(left).count());
}

void on_due(uv_timer_t* timer);
void on_poll(uv_timer_t* timer);

// After every call into the engine: the debounce timer for the earliest
// pending event, and the poll timer only while something is polled, so an
// idle watcher on the kernel backend sleeps in epoll_wait and costs nothing.
void rearm(Loop& l) {
  if (l.closing) return;
  uv_update_time(&l.loop);
  if (std::optional<Clock::time_point> next = l.engine->next_due())
    uv_timer_start(&l.due, on_due, ms_until(*next), 0);
  else
    uv_timer_stop(&l.due);
  bool polling = l.engine->polling();
  if (polling && !uv_is_active(reinterpret_cast<uv_handle_t*>(&l.poll))) {
    auto interval = static_cast<std::uint64_t>(l.engine->poll_interval().count());
    uv_timer_start(&l.poll, on_poll, interval, interval);
  } else if (!polling) {
    uv_timer_stop(&l.poll);
  }
}

void on_due(uv_timer_t* timer) {
  Loop& l = loop_of(reinterpret_cast<uv_handle_t*>(timer));
  guarded(l, [&] { l.engine->on_due(); });
  rearm(l);
}

void on_poll(uv_timer_t* timer) {
  Loop& l = loop_of(reinterpret_cast<uv_handle_t*>(timer));
  guarded(l, [&] { l.engine->on_poll_tick(); });
  rearm(l);
}

void on_kernel(uv_poll_t* handle, int status, int) {
  Loop& l = loop_of(reinterpret_cast<uv_handle_t*>(handle));
  if (status < 0) {
    l.notices->say(LogLevel::error,
                   fmt::format("cannot wait for inotify notifications: {}", uv_strerror(status)));
    uv_poll_stop(handle);
    return;
  }
  guarded(l, [&] { l.engine->on_kernel_readable(); });
  rearm(l);
}

void close_all(Loop& l) {
  l.closing = true;
  if (l.has_kernel) uv_close(reinterpret_cast<uv_handle_t*>(&l.kernel), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&l.due), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&l.poll), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&l.wake), nullptr);
}

void on_wake(uv_async_t* wake) {
  Loop& l = loop_of(reinterpret_cast<uv_handle_t*>(wake));
  l.stop->detach();  // after this no thread touches `wake`: it can be closed
  close_all(l);
}

}  // namespace

void run_loop(Engine& engine, StopSignal& stop, Notices& notices,
              const std::function<void(const Result<WatchBackend>&)>& started) {
  Loop l;
  l.engine = &engine;
  l.stop = &stop;
  l.notices = &notices;
  if (int rc = uv_loop_init(&l.loop); rc != 0) {
    started(Error{Stage::watch, Failure::watch_failed,
                  fmt::format("cannot start the watcher's event loop: {}", uv_strerror(rc))});
    return;
  }
  Result<WatchBackend> result =
      Error{Stage::watch, Failure::watch_failed, "internal error while starting"};
  guarded(l, [&] { result = engine.start(); });
  if (!result.ok()) {
    uv_loop_close(&l.loop);
    started(result);
    return;
  }
  uv_timer_init(&l.loop, &l.due);
  uv_timer_init(&l.loop, &l.poll);
  uv_async_init(&l.loop, &l.wake, on_wake);
  for (uv_handle_t* h :
       {reinterpret_cast<uv_handle_t*>(&l.due), reinterpret_cast<uv_handle_t*>(&l.poll),
        reinterpret_cast<uv_handle_t*>(&l.wake)})
    h->data = &l;
  if (engine.kernel_fd() >= 0) {
    if (int rc = uv_poll_init(&l.loop, &l.kernel, engine.kernel_fd()); rc == 0) {
      l.has_kernel = true;
      l.kernel.data = &l;
      uv_poll_start(&l.kernel, UV_READABLE, on_kernel);
    } else {
      notices.say(LogLevel::error, fmt::format("cannot wait for inotify notifications: {}; "
                                               "only polled folders are watched",
                                               uv_strerror(rc)));
    }
  }
  bool run = stop.attach(&l.wake);
  rearm(l);
  started(result);
  if (!run) close_all(l);
  uv_run(&l.loop, UV_RUN_DEFAULT);
  // Every handle is closed once uv_run returns; the loop can go.
  if (uv_loop_close(&l.loop) != 0) {
    uv_run(&l.loop, UV_RUN_NOWAIT);
    uv_loop_close(&l.loop);
  }
}

}  // namespace hotmod::watch
