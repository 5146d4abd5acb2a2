// The second half of the reload transaction (see commit.cpp).
#pragma once

#include <memory>

#include "hotmod/error.hpp"
#include "registry/slot.hpp"
#include "reload/host.hpp"
#include "reload/world.hpp"

namespace hotmod::reload {

// Makes `next` the slot's current version: state hand-over, on_unload(old),
// swap, on_load(next). Any failure restores the old version, its state and
// its subscriptions (re-running its on_load) and fills `f`. Caller holds
// slot.mu. The version that lost is retired to the reaper either way.
// Stage times are read from `world`'s clock.
bool commit(Host& host, World& world, registry::Slot& slot, std::shared_ptr<registry::Version> next,
            StageTimes& t, Error* f);

}  // namespace hotmod::reload
