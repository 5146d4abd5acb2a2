// The watcher's thread: a libuv loop that waits on the inotify descriptor
// (uv_poll_t), the next debounce deadline and the poll interval (two
// uv_timer_t) and a stop request (uv_async_t), and calls into the engine.
//
// Every libuv handle is created, used and closed on the loop thread; the only
// call from other threads is uv_async_send, through StopSignal.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>

#include "hotmod/value.hpp"
#include "hotmod/watcher.hpp"

struct uv_async_s;

namespace hotmod::watch {

class Engine;
class Notices;

// Asks a loop to stop, from any thread, before, while or after it runs.
class StopSignal {
 public:
  void request();
  bool requested() const { return requested_.load(std::memory_order_acquire); }
  // Before a new run: no stop requested.
  void reset();

  // Loop side: the handle to wake the loop with; false when a stop was
  // requested already (the loop then stops at once).
  bool attach(uv_async_s* wake);
  void detach();

 private:
  std::mutex mu_;  // orders uv_async_send against the loop closing the handle
  uv_async_s* wake_ = nullptr;
  std::atomic<bool> requested_{false};
};

// Starts `engine`, tells `started` how that went, and runs until `stop` is
// requested. No exception leaves it: errors go to `notices`.
void run_loop(Engine& engine, StopSignal& stop, Notices& notices,
              const std::function<void(const Result<WatchBackend>&)>& started);

}  // namespace hotmod::watch
