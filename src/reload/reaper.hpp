// Unloads retired versions off the reload's critical path.
//
// A retired version may still be running on other threads. The reaper's
// thread waits for the pin domain's grace period (every call that could see
// the version has returned), then destroys the version's interface objects
// and state garbage, closes its image, checks the image left the process and
// deletes its versioned copy. Subscriptions were removed before retiring.
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
#include <thread>
#include <vector>

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
  Reaper();
  ~Reaper();  // unloads everything still queued, then stops
  void retire(Retired r);
  void wait_idle();

 private:
  void run();
  static void unload(Retired& r);

  static constexpr std::chrono::milliseconds kBatchDelay{2};

  std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<Retired> queue_;
  bool busy_ = false;
  int waiters_ = 0;
  bool stop_ = false;
  std::thread thread_;
};

// Destroys a version's interface objects, closes its image and deletes its
// copy; `why` says what kept the image when it stayed. Only for versions no
// call can reach (never made current, or after a grace period).
bool unload_now(registry::Version& v, std::vector<registry::StateBox>& garbage, std::string* why);

}  // namespace hotmod::reload
