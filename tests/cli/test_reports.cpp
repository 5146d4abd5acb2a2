// `hotmod perfmon` and `hotmod memreport`: the REPL's reports for scripts
// and CI, as text and as JSON.
#include <regex>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "cli_test_support.hpp"
#include "fixture_paths.hpp"

namespace hotmod_test {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

class Reports : public CliTest {
 protected:
  Reports() {
    install(fixtures::counter_v1, "mods/counter.so");
    install(fs::path(fixtures::nested), "mods/tools/math.so");
  }
};

TEST_F(Reports, PerfmonLoadsEveryModuleAndMarksTheSlowOnes) {
  // Any load takes longer than a microsecond.
  write("hotmod.json", R"({"performance": {"slow_ms": {"library": 0.001}}})");
  const Ran run = hotmod({"-M", "mods", "perfmon"});
  EXPECT_EQ(run.exit_code, 0) << shown(run);
  EXPECT_TRUE(has(run.out, "library: 2 modules, 2 loaded (slow above 0.0 ms)\n")) << run.out;
  EXPECT_TRUE(std::regex_search(run.out, std::regex("counter +[0-9.]+ ms +- +0 +! SLOW\n")))
      << run.out;
  EXPECT_TRUE(has(run.out, "Summary\n  2 modules, 2 loaded, 0 reloads\n")) << run.out;
}

TEST_F(Reports, PerfmonJsonHasModulesKindsAndScans) {
  const Ran run = hotmod({"-M", "mods", "perfmon", "counter", "--json"});
  ASSERT_EQ(run.exit_code, 0) << shown(run);
  const json report = json::parse(run.out);
  ASSERT_TRUE(report["modules"].is_array());
  bool counter_loaded = false, math_loaded = true;
  for (const json& m : report["modules"]) {
    if (m["name"] == "counter") counter_loaded = m["loaded"];
    if (m["name"] == "tools.math") math_loaded = m["loaded"];
  }
  EXPECT_TRUE(counter_loaded);
  EXPECT_FALSE(math_loaded) << "only the named module is loaded";
  EXPECT_TRUE(report["kinds"].is_array());
  EXPECT_TRUE(report["scan"].is_object());
}

TEST_F(Reports, MemreportShowsEachLoadedModule) {
  const Ran run = hotmod({"-M", "mods", "memreport"});
  EXPECT_EQ(run.exit_code, 0) << shown(run);
  EXPECT_TRUE(std::regex_search(run.out, std::regex("\nlibrary +2 +[0-9.]+ (B|KiB|MiB)\n")))
      << run.out;
  EXPECT_TRUE(std::regex_search(run.out, std::regex("\ncounter +library +[0-9.]+ (KiB|MiB)")))
      << run.out;
  EXPECT_TRUE(has(run.out, "; process RSS: ")) << run.out;
  EXPECT_FALSE(has(run.out, "Heap is counted in dev mode only")) << "dev mode by default";
}

TEST_F(Reports, MemreportJsonCountsHeapInDevModeOnly) {
  const Ran dev = hotmod({"-M", "mods", "memreport", "--json"});
  ASSERT_EQ(dev.exit_code, 0) << shown(dev);
  const json with = json::parse(dev.out);
  EXPECT_EQ(with["heap_tracked"], true);
  EXPECT_EQ(with["modules"].size(), 2u);
  EXPECT_GT(with["process_rss_bytes"].get<std::uint64_t>(), 0u);
  const Ran prod = hotmod({"--no-dev", "-M", "mods", "memreport", "--json"});
  ASSERT_EQ(prod.exit_code, 0) << shown(prod);
  EXPECT_EQ(json::parse(prod.out)["heap_tracked"], false);
}

TEST_F(Reports, AModuleThatDoesNotLoadIsReportedAndTheReportStillPrinted) {
  write("mods/hello.cpp", kBrokenModule);
  const Ran run = hotmod({"-M", "mods", "memreport"});
  EXPECT_EQ(run.exit_code, 1) << shown(run);
  EXPECT_TRUE(has(run.err,
                  "[FAILED] Module 'hello' not loaded: build error (1 error), see hotmod "
                  "info hello\n"))
      << run.err;
  EXPECT_TRUE(has(run.out, "Top consumers")) << run.out;
}

TEST_F(Reports, AnUnknownNameIsAUsageError) {
  const Ran run = hotmod({"-M", "mods", "perfmon", "countr"});
  EXPECT_EQ(run.exit_code, 2) << shown(run);
  EXPECT_TRUE(has(run.err, "did you mean 'counter'?")) << run.err;
}

}  // namespace
}  // namespace hotmod_test
