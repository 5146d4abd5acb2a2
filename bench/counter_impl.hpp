// bench/counter_impl.hpp — the one implementation of ICounter, compiled into
// the bench module (published through HOTMOD_INTERFACE) and into the host's
// baseline (local_impl.cpp), so both sides run the same code.
#pragma once

#include "bench_counter.hpp"

namespace hotmod_bench {

class Counter : public ICounter {
 public:
  int next(int x) override { return x + 1; }
};

}  // namespace hotmod_bench
