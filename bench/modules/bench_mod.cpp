// bench/modules/bench_mod.cpp — the module the benchmarks load and reload.
//
// Built twice, with BENCH_MOD_VERSION 1 and 2, into separate folders: the swap
// benchmark alternates the two files so every reload opens a different image.
// Small on purpose (one function, one interface, a little state, both hooks):
// it measures the runtime's fixed cost per reload, not the module's.
#include <cstdint>

#include <hotmod/module.hpp>

#include "counter_impl.hpp"

#ifndef BENCH_MOD_VERSION
#error "build bench_mod.cpp with -DBENCH_MOD_VERSION=<n>"
#endif
#define BENCH_STR_(x) #x
#define BENCH_STR(x) BENCH_STR_(x)

HOTMOD_MODULE("bench_mod", BENCH_STR(BENCH_MOD_VERSION) ".0.0", "hotmod benchmark module");

namespace {

int add_one(int x) {
  return x + 1;
}

// Which build answers: the edit-to-running benchmark waits for the other one.
int build() {
  return BENCH_MOD_VERSION;
}

struct State {
  std::uint64_t loads = 0;
};

void on_load(hotmod::Context& /*ctx*/) {
  ++hotmod::state<State>().loads;
}
void on_unload(hotmod::Context& /*ctx*/) {}

}  // namespace

HOTMOD_EXPORT(add_one, "Returns x + 1", "x");
HOTMOD_EXPORT(build, "Which build of the module this is (1 or 2)");
HOTMOD_INTERFACE(hotmod_bench::ICounter, hotmod_bench::Counter);
HOTMOD_STATE(State, 1);
HOTMOD_ON_LOAD(on_load);
HOTMOD_ON_UNLOAD(on_unload);
