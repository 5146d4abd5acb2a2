// What the runtime measured of one module's loads, builds and reloads: the
// numbers behind performance_report() and `.errors`. Kept apart from the
// module's lock (behind the slot's leaf `record_mu`), so reports never wait
// for a compile.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "diag/timing_history.hpp"
#include "hotmod/reload_stats.hpp"

namespace hotmod::script {
class ScriptModule;
}

namespace hotmod::registry {

struct SlotRecord {
  diag::TimingHistory load;    // first loads (a source module's include its compile)
  diag::TimingHistory build;   // compiles and build rules
  diag::TimingHistory reload;  // reloads, failed or not
  StageTimes last_stages;
  double last_ms = 0;  // the last load or reload attempt
  std::uint64_t failures = 0;
  // The last attempt, when it failed (cleared by a success).
  std::optional<ReloadStats> last_failure;
  std::uint64_t state_bytes = 0;  // sizeof the HOTMOD_STATE type
  // A script module's interpreter, for memory reports without the module's lock.
  std::shared_ptr<script::ScriptModule> lua;
};

}  // namespace hotmod::registry
