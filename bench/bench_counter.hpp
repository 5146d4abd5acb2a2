// bench/bench_counter.hpp — the interface the call benchmarks reach through a
// hotmod::Ref. Shared by the bench host and the bench module.
//
// Deliberately holds no implementation: a translation unit that saw one could
// speculatively devirtualise calls through ICounter* and flatter the baseline.
#pragma once

namespace hotmod_bench {

class ICounter {
 public:
  virtual ~ICounter() = default;
  virtual int next(int x) = 0;
};

}  // namespace hotmod_bench
