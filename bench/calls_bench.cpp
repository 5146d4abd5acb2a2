// bench/calls_bench.cpp — what a call into a module costs over a plain call.
//
// Figures: ref_call_overhead_ns   Ref<ICounter>->next(x) minus a virtual call
//                                 to a host-local Counter (same type)
//          handle_call_overhead_ns Module::call("add_one", 41) minus a plain
//                                 noinline call doing the same
//          contained_call_overhead_ns  a Ref call with crash containment
//                                 held (a runtime with "contain_crashes":
//                                 "always" exists) minus the same call
//                                 before containment was ever installed
// Options: --rounds=N (default 15), plus Google Benchmark's own flags.
//
// Each round runs the four Google Benchmark loops back to back; a figure is
// the median over rounds of the difference within a round, so slow drifts of
// a shared machine cancel out. Baselines live in local_impl.cpp and the
// pointer is laundered through an empty asm each iteration: the compiler can
// neither inline nor devirtualise them.
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <hotmod/runtime.hpp>

#include "bench_counter.hpp"
#include "bench_util.hpp"
#include "local_impl.hpp"

namespace hb = hotmod_bench;

namespace {

// What the benchmark loops call into; set up by main().
struct Targets {
  hb::ICounter* local = nullptr;
  hotmod::Ref<hb::ICounter> ref;
  hotmod::Module module;
  hotmod::Ref<hb::ICounter> contained;  // through a runtime that contains crashes
};
Targets* targets = nullptr;

// Makes the compiler forget what `p` points to, at no run-time cost.
template <class T>
inline void launder(T*& p) {
  asm volatile("" : "+r"(p));
}

void BM_DirectVirtualCall(benchmark::State& state) {
  hb::ICounter* counter = targets->local;
  int x = 0;
  for (auto _ : state) {
    launder(counter);
    x = counter->next(x);
  }
  benchmark::DoNotOptimize(x);
}

void BM_RefCall(benchmark::State& state) {
  const hotmod::Ref<hb::ICounter>& ref = targets->ref;
  int x = 0;
  for (auto _ : state) x = ref->next(x);
  benchmark::DoNotOptimize(x);
}

void BM_ContainedRefCall(benchmark::State& state) {
  const hotmod::Ref<hb::ICounter>& ref = targets->contained;
  int x = 0;
  for (auto _ : state) x = ref->next(x);
  benchmark::DoNotOptimize(x);
}

void BM_DirectFunctionCall(benchmark::State& state) {
  int arg = 41;
  for (auto _ : state) {
    benchmark::DoNotOptimize(arg);
    int result = hb::direct_add_one(arg);
    benchmark::DoNotOptimize(result);
  }
}

void BM_HandleCall(benchmark::State& state) {
  const hotmod::Module& module = targets->module;
  for (auto _ : state) {
    hotmod::Result<hotmod::Value> result = module.call("add_one", 41);
    benchmark::DoNotOptimize(result);
  }
}

BENCHMARK(BM_DirectVirtualCall)->MinTime(0.1);
BENCHMARK(BM_RefCall)->MinTime(0.1);
BENCHMARK(BM_DirectFunctionCall)->MinTime(0.1);
BENCHMARK(BM_HandleCall)->MinTime(0.1);

// Keeps the nanoseconds per call of every run, by benchmark name.
class Collector : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context& /*context*/) override { return true; }
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.error_occurred) hb::fail(run.benchmark_name() + ": " + run.error_message);
      ns[run.run_name.function_name].push_back(run.GetAdjustedRealTime());
    }
  }
  std::map<std::string, std::vector<double>> ns;
};

// Per-round differences a - b.
std::vector<double> differences(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> d;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) d.push_back(a[i] - b[i]);
  return d;
}

void check(Targets& t) {
  if (t.ref->next(41) != 42) hb::fail("Ref<ICounter>->next(41) is not 42");
  auto r = t.module.call_as<int>("add_one", 41);
  if (!r.ok()) hb::fail("add_one(41): " + r.error().message);
  if (*r != 42) hb::fail("add_one(41) is not 42");
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = hb::int_option(argc, argv, "rounds", 15);
  benchmark::Initialize(&argc, argv);

  hb::TempDir tmp("hotmod-bench-calls");
  hotmod::Runtime rt(
      hb::bench_options(hb::fs::path(HOTMOD_BENCH_MODULE_V1).parent_path(), tmp.path()));
  auto ref = rt.ref<hb::ICounter>("bench_mod");
  if (!ref.ok()) hb::fail("Ref<ICounter> on bench_mod: " + ref.error().message);
  auto module = rt.module("bench_mod");
  if (!module.ok()) hb::fail("module bench_mod: " + module.error().message);
  Targets t{hb::make_local_counter(), *ref, *module, {}};
  check(t);
  targets = &t;

  Collector collector;
  for (int i = 0; i < rounds; ++i) benchmark::RunSpecifiedBenchmarks(&collector);

  // Then the same module through a runtime that contains crashes (only
  // that: production mode otherwise, so no heap accounting skews calls).
  hotmod::RuntimeOptions containing = hb::bench_options(
      hb::fs::path(HOTMOD_BENCH_MODULE_V1).parent_path(), tmp.path() / "containing");
  containing.contain_crashes = hotmod::RuntimeOptions::Containment::always;
  hotmod::Runtime containing_rt(containing);
  auto contained = containing_rt.ref<hb::ICounter>("bench_mod");
  if (!contained.ok())
    hb::fail("Ref<ICounter> on bench_mod, containing crashes: " + contained.error().message);
  t.contained = *contained;
  if (t.contained->next(41) != 42) hb::fail("containing Ref<ICounter>->next(41) is not 42");
  benchmark::ClearRegisteredBenchmarks();
  benchmark::RegisterBenchmark("BM_ContainedRefCall", BM_ContainedRefCall)->MinTime(0.1);
  for (int i = 0; i < rounds; ++i) benchmark::RunSpecifiedBenchmarks(&collector);
  benchmark::Shutdown();

  auto& ns = collector.ns;
  std::fprintf(stderr,
               "%d rounds, median ns/call: direct virtual %.2f  ref %.2f  ref, crashes contained "
               "%.2f  direct function %.2f  handle %.1f\n",
               rounds, hb::median(ns["BM_DirectVirtualCall"]), hb::median(ns["BM_RefCall"]),
               hb::median(ns["BM_ContainedRefCall"]), hb::median(ns["BM_DirectFunctionCall"]),
               hb::median(ns["BM_HandleCall"]));
  hb::print_figure("ref_call_overhead_ns",
                   hb::median(differences(ns["BM_RefCall"], ns["BM_DirectVirtualCall"])));
  hb::print_figure("contained_call_overhead_ns",
                   hb::median(differences(ns["BM_ContainedRefCall"], ns["BM_RefCall"])));
  hb::print_figure("handle_call_overhead_ns",
                   hb::median(differences(ns["BM_HandleCall"], ns["BM_DirectFunctionCall"])));
}
