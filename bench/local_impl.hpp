// bench/local_impl.hpp — host-side baselines for the call benchmarks. They are
// defined in their own translation unit (no LTO in the release preset), so the
// benchmark loops see only opaque calls.
#pragma once

#include "bench_counter.hpp"

namespace hotmod_bench {

// A host-local Counter, the same type the bench module publishes.
ICounter* make_local_counter();
// The same work as the module's exported add_one, as a plain call.
int direct_add_one(int x);

}  // namespace hotmod_bench
