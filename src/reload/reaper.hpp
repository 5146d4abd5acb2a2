// Unloads retired versions off the reload's critical path.
//
// A retired version may still be running on other threads. The reaper's
// thread waits for the pin domain's grace period (every call that could see
// the version has returned), then destroys the version's interface objects
// and state garbage, closes its image, checks the image left the process and
// deletes its versioned copy. Subscriptions were removed before retiring.
//
// A version retired with `keep_code` (crash containment is on) is not
// closed at once: its code is guarded (loader/code_guard.hpp) and kept, so
// a call through a pointer kept from it fails naming it rather than running
// stale code. Kept images are closed oldest first past the limits of
// RetiredCode (age, bytes, count), and all of them on wait_idle() and at
// shutdown; their copies stay on disk until then.
//
// An image an exception thrown from it still holds (contain/
// exception_holds.hpp: a host's catch block running, an exception_ptr kept)
// is neither guarded nor closed until the exception is destroyed; the
// reaper looks again after 10 ms, then less and less often, up to once a
// second. wait_idle() does not
// wait for those; at shutdown they stay mapped for good.
//
// A call that never returns would hold that grace period up for ever. Past
// the patience limit it is reported once (thread id and name, the versions
// it keeps in memory); at shutdown (finish()) the reaper waits that long,
// then leaves those versions mapped and tells their `done` so.
//
// Thread-safety: retire() and wait_idle() may be called from any thread, but
// not from inside a pin (they would wait for themselves).
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "loader/code_guard.hpp"
#include "pin/pin_domain.hpp"
#include "registry/state_box.hpp"
#include "registry/version.hpp"

namespace hotmod::reload {

struct Retired {
  std::shared_ptr<registry::Version> version;
  std::vector<registry::StateBox> garbage;  // destroyed by version's image
  bool keep_code = false;                   // guard its code for a while instead of closing it
  // Once its objects are gone and its image is closed (`unloaded`: it left
  // the process; `why` it stayed otherwise), or its code guarded
  // (`code_kept`).
  std::function<void(bool unloaded, bool code_kept, const std::string& why)> done;
  // Its code was kept, and its image then stayed in the process when closed.
  std::function<void(const std::string& why)> stayed;
};

// How much retired code stays guarded: each image at most `age`, and the
// oldest go first past `bytes` of images or `images` of them. A zero age
// keeps none.
struct RetiredCode {
  std::chrono::seconds age{0};
  std::size_t bytes = 0;
  std::size_t images = 64;
};

class Reaper {
 public:
  // `limit` zero: wait without limit and report nothing. `warn` receives
  // the report of a long call; it may be called from the reaper's thread.
  explicit Reaper(std::chrono::nanoseconds limit = {},
                  std::function<void(const std::string&)> warn = {}, RetiredCode kept = {});
  ~Reaper();  // unloads everything still queued (finish()), then stops
  void retire(Retired r);
  // Returns once everything retired so far is unloaded, the code kept
  // guarded included.
  void wait_idle();
  // wait_idle() for shutdown: gives up on calls still running past the limit.
  void finish();

 private:
  struct Kept {
    Retired retired;
    loader::GuardedCode code;
    std::chrono::steady_clock::time_point until;
    bool told = false;  // its `done` was called (its code was guarded)
  };

  void run();
  // False on the reaper's own thread and inside a pin, where waiting for
  // the reaper would wait for ourselves.
  bool may_wait() const;
  // Destroys its objects, then release_image(), or holds it in held_ while
  // an exception thrown from it lives.
  void unload(Retired& r);
  // Guards and keeps its code, or closes its image.
  void release_image(Retired& r);
  // Releases the images in held_ no exception holds any more. Called with
  // mu_ held; releases it while working.
  void release_unheld(std::unique_lock<std::mutex>& lock);
  // Shutdown: what is still held stays mapped for good, and is told so.
  void keep_held_for_good(std::unique_lock<std::mutex>& lock);
  // Closes kept images past their age, past the limits, or all of them
  // (`all`). Called with mu_ held; releases it while closing.
  void close_kept(std::unique_lock<std::mutex>& lock, bool all);
  void close(Kept& k);
  // Asked while a thread holds up `batch`'s grace period: reports it once
  // past the limit; false once finishing has waited the limit.
  bool keep_waiting(const std::deque<Retired>& batch, const pin::Straggler& s, bool* reported);
  // The grace period never ended: the versions stay mapped for good.
  static void abandon(std::deque<Retired>& batch);
  static void keep_for_good(Retired r);

  const std::chrono::nanoseconds limit_;
  const std::function<void(const std::string&)> warn_;
  const RetiredCode kept_limits_;

  static constexpr std::chrono::milliseconds kBatchDelay{2};
  static constexpr std::chrono::milliseconds kHeldPoll{10};
  static constexpr std::chrono::milliseconds kHeldPollMax{1000};

  std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<Retired> queue_;
  std::deque<Kept> kept_;                           // oldest first
  std::deque<Kept> held_;                           // held by a live exception (see above)
  std::chrono::milliseconds held_poll_{kHeldPoll};  // how often held_ is looked at
  std::size_t kept_bytes_ = 0;
  bool busy_ = false;
  int waiters_ = 0;
  bool stop_ = false;
  bool finishing_ = false;                                // guarded by mu_
  std::chrono::steady_clock::time_point finish_started_;  // guarded by mu_
  std::thread thread_;
};

// Destroys a version's interface objects and state garbage. Only for
// versions no call can reach (never made current, or after a grace period).
void destroy_objects(registry::Version& v, std::vector<registry::StateBox>& garbage);
// Closes its image and deletes its copy; `why` says what kept the image
// when it stayed.
bool close_version(registry::Version& v, std::string* why);
// Both.
bool unload_now(registry::Version& v, std::vector<registry::StateBox>& garbage, std::string* why);

}  // namespace hotmod::reload
