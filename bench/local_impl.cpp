// bench/local_impl.cpp — see local_impl.hpp.
#include "local_impl.hpp"

#include "counter_impl.hpp"

namespace hotmod_bench {

[[gnu::noinline]] ICounter* make_local_counter() {
  static Counter counter;
  return &counter;
}

[[gnu::noinline]] int direct_add_one(int x) {
  return x + 1;
}

}  // namespace hotmod_bench
