// What a reload transaction takes from outside the process's memory: new
// versions, read from module files, and the time. In a running program the
// files are read and opened by the loader (prepare.cpp) and time is the
// steady clock; the transaction's unit tests hand it versions made in
// memory and a clock that moves only when told, so every path through the
// transaction — park, commit, rollback, failure memory — is checked
// without a compiler, a file or a dlopen.
#pragma once

#include <chrono>
#include <memory>

#include "hotmod/error.hpp"
#include "hotmod/reload_stats.hpp"
#include "loader/file_snapshot.hpp"

namespace hotmod::registry {
class Slot;
struct Version;
}  // namespace hotmod::registry

namespace hotmod::reload {

class Host;

class World {
 public:
  using Clock = std::chrono::steady_clock;
  virtual ~World() = default;

  // A new version of `slot` from its file, or null with `f` filled and
  // nothing left behind. `read` receives what was read of the file (its
  // identity), also when preparing failed after reading it.
  virtual std::shared_ptr<registry::Version> prepare(Host& host, registry::Slot& slot,
                                                     StageTimes& t, Error* f,
                                                     loader::FileSnapshot* read) = 0;
  // Closes a prepared version that never became current.
  virtual void discard(registry::Version& v) = 0;
  virtual Clock::time_point now() = 0;
};

// Module files through the loader, and the steady clock.
World& real_world();

}  // namespace hotmod::reload
