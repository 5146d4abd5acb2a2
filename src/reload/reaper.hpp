// Unloads retired versions off the reload's critical path.
//
// A retired version may still be running on other threads. The reaper's
// thread waits for the pin domain's grace period (every call that could see
// the version has returned), then destroys the version's interface objects
// and state garbage, closes its image, checks the image left the process and
// deletes its versioned copy. Subscriptions were removed before retiring.
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

#include "pin/pin_domain.hpp"
#include "registry/state_box.hpp"
#include "registry/version.hpp"

namespace hotmod::reload {

struct Retired {
  std::shared_ptr<registry::Version> version;
  std::vector<registry::StateBox> garbage;  // destroyed by version's image
  std::function<void(bool unloaded, const std::string& why)> done;
};

class Reaper {
 public:
  // `limit` zero: wait without limit and report nothing. `warn` receives
  // the report of a long call; it may be called from the reaper's thread.
  explicit Reaper(std::chrono::nanoseconds limit = {},
                  std::function<void(const std::string&)> warn = {});
  ~Reaper();  // unloads everything still queued (finish()), then stops
  void retire(Retired r);
  void wait_idle();
  // wait_idle() for shutdown: gives up on calls still running past the limit.
  void finish();

 private:
  void run();
  static void unload(Retired& r);
  // Asked while a thread holds up `batch`'s grace period: reports it once
  // past the limit; false once finishing has waited the limit.
  bool keep_waiting(const std::deque<Retired>& batch, const pin::Straggler& s, bool* reported);
  // The grace period never ended: the versions stay mapped for good.
  static void abandon(std::deque<Retired>& batch);

  const std::chrono::nanoseconds limit_;
  const std::function<void(const std::string&)> warn_;

  static constexpr std::chrono::milliseconds kBatchDelay{2};

  std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<Retired> queue_;
  bool busy_ = false;
  int waiters_ = 0;
  bool stop_ = false;
  bool finishing_ = false;                                // guarded by mu_
  std::chrono::steady_clock::time_point finish_started_;  // guarded by mu_
  std::thread thread_;
};

// Destroys a version's interface objects, closes its image and deletes its
// copy; `why` says what kept the image when it stayed. Only for versions no
// call can reach (never made current, or after a grace period).
bool unload_now(registry::Version& v, std::vector<registry::StateBox>& garbage, std::string* why);

}  // namespace hotmod::reload
