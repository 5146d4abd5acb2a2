// `hotmod repl` driven through stdin, as a script or CI would: Lua lines,
// every dot-command, errors that do not end the session, and edits
// reloaded while Lua variables stay.
#include <regex>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "cli_test_support.hpp"
#include "fixture_paths.hpp"

namespace hotmod_test {
namespace {

namespace fs = std::filesystem;

class Repl : public CliTest {
 protected:
  Repl() {
    install(fixtures::counter_v1, "mods/counter.so");
    install(fs::path(fixtures::nested), "mods/tools/math.so");
  }
  // The REPL reading `input`, without the watcher unless `watch`.
  Ran repl(const std::string& input, bool watch = false) {
    std::vector<std::string> args{"-M", "mods", "repl"};
    if (!watch) args.insert(args.begin(), "--no-watch");
    return hotmod_reading(args, input);
  }
};

TEST_F(Repl, APipedScriptPrintsOnlyItsResults) {
  const Ran run = repl("m = import(\"tools.math\")\nprint(m.mul(2, 2))\n");
  EXPECT_EQ(run.exit_code, 0) << shown(run);
  EXPECT_EQ(run.out, "4.0\n");
  EXPECT_EQ(run.err, "");
}

// The documented example, word for word: a script module named `math`
// shadows Lua's library in the console (its own sandbox keeps Lua's).
TEST_F(Repl, TheDocumentedPipeExample) {
  write("mods/math.lua", "return {sqrt = function(x) return math.sqrt(x) end}\n");
  const Ran piped =
      hotmod_reading({"repl", "-M", "mods"}, "m = import(\"math\")\nprint(m.sqrt(16))\n");
  EXPECT_EQ(piped.exit_code, 0) << shown(piped);
  EXPECT_EQ(piped.out, "4.0\n");
  EXPECT_EQ(piped.err, "");
}

TEST_F(Repl, ModulesAreGlobalsAndExpressionsPrintTheirValue) {
  const Ran run = repl("counter.add(2, 3)\ntools.math.mul(3, 0.5)\n");
  EXPECT_EQ(run.exit_code, 0) << shown(run);
  EXPECT_EQ(run.out, "5\n1.5\n");
}

TEST_F(Repl, AFailedLineIsReportedAndTheSessionGoesOn) {
  const Ran run = repl("print(1)\nerror(\"boom\")\nprint(2)\n");
  EXPECT_EQ(run.exit_code, 1) << "a line failed: " << shown(run);
  EXPECT_EQ(run.out, "1\n2\n");
  EXPECT_TRUE(has(run.err, "error: ")) << run.err;
  EXPECT_TRUE(has(run.err, "boom")) << run.err;
}

TEST_F(Repl, AChunkMaySpanLines) {
  const Ran run = repl("function twice(x)\n  return 2 * x\nend\nprint(twice(21))\n");
  EXPECT_EQ(run.exit_code, 0) << shown(run);
  EXPECT_EQ(run.out, "42\n");
}

TEST_F(Repl, AChunkLeftUnfinishedAtTheEndFails) {
  const Ran run = repl("function f()\n");
  EXPECT_EQ(run.exit_code, 1) << shown(run);
  EXPECT_TRUE(has(run.err, "unfinished Lua chunk")) << run.err;
}

TEST_F(Repl, QuitStopsReading) {
  const Ran run = repl("print(1)\n.quit\nprint(2)\n");
  EXPECT_EQ(run.exit_code, 0) << shown(run);
  EXPECT_EQ(run.out, "1\n");
}

TEST_F(Repl, HelpListsEveryCommand) {
  const Ran run = repl(".help\n");
  EXPECT_EQ(run.exit_code, 0) << shown(run);
  for (const char* c : {".help", ".devmode [on|off]", ".reload NAME", ".reloadall", ".refresh",
                        ".watch [NAME|all|off]", ".modules", ".modinfo NAME", ".perfmon",
                        ".memreport", ".errors [NAME]", ".events [N]", ".trace FILE|off", ".quit"})
    EXPECT_TRUE(has(run.out, std::string("  ") + c + " ")) << c << "\n" << run.out;
}

TEST_F(Repl, AnUnknownCommandNamesTheNearest) {
  const Ran run = repl(".relaod counter\nprint(1)\n");
  EXPECT_EQ(run.exit_code, 1) << shown(run);
  EXPECT_TRUE(has(run.err, "error: unknown command '.relaod'; did you mean '.reload'?")) << run.err;
  EXPECT_EQ(run.out, "1\n");
}

TEST_F(Repl, ModulesShowsEachKindWithWhatIsLoaded) {
  const Ran run = repl("counter.value()\n.modules\n");
  EXPECT_EQ(run.exit_code, 0) << shown(run);
  EXPECT_TRUE(has(run.out, "library: 2 modules, 1 loaded\n")) << run.out;
  EXPECT_TRUE(std::regex_search(run.out, std::regex("Name +Version +Loaded +Load time +Memory\n")))
      << run.out;
  EXPECT_TRUE(std::regex_search(run.out, std::regex("counter +1\\.0\\.0 +yes +[0-9.]+ ms +[0-9.]+ "
                                                    "(B|KiB|MiB)\n")))
      << run.out;
  EXPECT_TRUE(std::regex_search(run.out, std::regex("tools\\.math +0\\.3\\.1 +no +- +-\n")))
      << run.out;
}

TEST_F(Repl, ModinfoLoadsAndDescribes) {
  const Ran run = repl(".modinfo counter\n.modinfo countr\n");
  EXPECT_EQ(run.exit_code, 1) << shown(run);
  EXPECT_TRUE(has(run.out, "name:         counter\n")) << run.out;
  EXPECT_TRUE(has(run.out, "int add(int a, int b)")) << run.out;
  EXPECT_TRUE(has(run.err, "did you mean 'counter'?")) << run.err;
}

TEST_F(Repl, ReloadSaysOkWithKindAndTime) {
  const Ran run = repl("counter.value()\n.reload counter\n");
  EXPECT_EQ(run.exit_code, 0) << shown(run);
  EXPECT_TRUE(std::regex_search(
      run.out, std::regex("\\[OK\\] Module 'counter' reloaded \\(library, [0-9.]+ ms\\)\n")))
      << run.out;
}

TEST_F(Repl, ReloadAllReloadsWhatIsLoaded) {
  const Ran run = repl(".reloadall\ncounter.value()\ntools.math.mul(1, 1)\n.reloadall\n");
  EXPECT_EQ(run.exit_code, 0) << shown(run);
  EXPECT_TRUE(has(run.out, "no module is loaded yet: nothing to reload\n")) << run.out;
  EXPECT_TRUE(has(run.out, "[OK] Module 'counter' reloaded (library, ")) << run.out;
  EXPECT_TRUE(has(run.out, "[OK] Module 'tools.math' reloaded (library, ")) << run.out;
  EXPECT_TRUE(has(run.out, "2 modules: 2 reloaded, 0 failed\n")) << run.out;
}

TEST_F(Repl, DevmodeSwitchesBothWays) {
  const Ran run = repl(".devmode\n.devmode off\n.devmode on\n.devmode maybe\n");
  EXPECT_EQ(run.exit_code, 1) << "the last line is wrong: " << shown(run);
  EXPECT_TRUE(has(run.out, "dev mode on: not watching")) << run.out;
  EXPECT_TRUE(has(run.out, "dev mode off: production mode, nothing watched\n")) << run.out;
  EXPECT_TRUE(has(run.err, "usage: .devmode [on|off]")) << run.err;
}

TEST_F(Repl, ProductionModeWithNoDev) {
  const Ran run = hotmod_reading({"--no-dev", "-M", "mods", "repl"}, ".devmode\n");
  EXPECT_EQ(run.exit_code, 0) << shown(run);
  EXPECT_TRUE(has(run.out, "dev mode off")) << run.out;
}

TEST_F(Repl, EventsShowWhatTheBusCarried) {
  const Ran run = repl(".events\n.reload counter\n.reload counter\n.events 2\n.events x\n");
  EXPECT_EQ(run.exit_code, 1) << "the last line is wrong: " << shown(run);
  EXPECT_TRUE(has(run.out, "no events yet\n")) << run.out;
  EXPECT_TRUE(std::regex_search(
      run.out, std::regex("[0-9:.]{12} module\\.reloaded \\{.*\"name\":\"counter\"")))
      << run.out;
  EXPECT_TRUE(has(run.err, "'x' is not a count")) << run.err;
}

TEST_F(Repl, ErrorsShowTheCompilersMessages) {
  write("mods/hello.cpp", kBrokenModule);
  const Ran run = repl("hello.answer()\n.errors hello\n.errors\n.errors counter\n");
  EXPECT_EQ(run.exit_code, 1) << "the call failed: " << shown(run);
  EXPECT_TRUE(has(run.out,
                  "[FAILED] Module 'hello' not loaded: build error (1 error), see .errors "
                  "hello\n"))
      << run.out;
  EXPECT_TRUE(std::regex_search(run.out, std::regex("hello\\.cpp:3:[0-9]+: error: "))) << run.out;
  EXPECT_TRUE(has(run.out, "module 'counter' has no failure")) << run.out;
}

TEST_F(Repl, PerfmonShowsEachKindAndASummary) {
  // A threshold no load reaches, however busy the machine: no SLOW mark.
  write("hotmod.json", R"({"cxx": {"cache_dir": "cache", "precompiled_header": false},
                           "performance": {"slow_ms": {"library": 1000000}}})");
  const Ran run = repl("counter.value()\n.reload counter\n.perfmon\n");
  EXPECT_EQ(run.exit_code, 0) << shown(run);
  EXPECT_TRUE(has(run.out, "library: 2 modules, 1 loaded (slow above ")) << run.out;
  EXPECT_TRUE(
      std::regex_search(run.out, std::regex("Module +Load +Reload last / median / max +Reloads\n")))
      << run.out;
  EXPECT_TRUE(std::regex_search(
      run.out, std::regex("counter +[0-9.]+ ms +[0-9.]+ / [0-9.]+ / [0-9.]+ ms +1\n")))
      << run.out;
  EXPECT_TRUE(has(run.out, "Summary\n  2 modules, 1 loaded, 1 reload\n")) << run.out;
  EXPECT_TRUE(has(run.out, "  slowest: counter (library, ")) << run.out;
  EXPECT_TRUE(has(run.out, "scans of the module folders: ")) << run.out;
}

TEST_F(Repl, MemreportShowsKindsTopConsumersAndTotals) {
  const Ran run = repl("counter.value()\n.memreport\n");
  EXPECT_EQ(run.exit_code, 0) << shown(run);
  EXPECT_TRUE(std::regex_search(run.out, std::regex("By kind\nKind +Modules +Memory\n")))
      << run.out;
  EXPECT_TRUE(std::regex_search(
      run.out, std::regex("Top consumers\nModule +Kind +Image +Heap +State +Total\n")))
      << run.out;
  EXPECT_TRUE(std::regex_search(run.out, std::regex("\ncounter +library +[0-9.]+ (B|KiB|MiB)")))
      << run.out;
  EXPECT_TRUE(has(run.out, "; process RSS: ")) << run.out;
}

TEST_F(Repl, TraceWritesJsonUntilOff) {
  const Ran run = repl(".trace trace.json\n.reload counter\n.trace off\n");
  EXPECT_EQ(run.exit_code, 0) << shown(run);
  EXPECT_TRUE(has(run.out, "tracing builds, loads and reloads to ")) << run.out;
  EXPECT_TRUE(has(run.out, "trace closed: ")) << run.out;
  std::ifstream in(dir_ / "trace.json");
  const nlohmann::json trace = nlohmann::json::parse(in, nullptr, false);
  EXPECT_FALSE(trace.is_discarded()) << "the trace is JSON once closed";
}

// The lines go in one at a time: the file changes between them.
TEST_F(Repl, LuaVariablesOutliveAnEditAndReload) {
  write("mods/hello.cpp", kGoodModule);
  auto repl = background({"--no-watch", "-M", "mods", "repl"});
  repl->write("before = hello.answer()\nprint(before)\n");
  ASSERT_TRUE(repl->wait_for_out("42\n")) << repl->out() << repl->err();
  write("mods/hello.cpp", std::regex_replace(kGoodModule, std::regex("return 42"), "return 43"));
  repl->write(".reload hello\nprint(before, hello.answer())\n");
  ASSERT_TRUE(repl->wait_for_out("42\t43\n")) << repl->out() << repl->err();
  EXPECT_TRUE(has(repl->out(), "[OK] Module 'hello' reloaded (source, ")) << repl->out();
  const Ran run = repl->wait();
  EXPECT_EQ(run.exit_code, 0) << shown(run);
}

TEST_F(Repl, RefreshFindsANewModule) {
  fs::remove_all(mods() / "tools");
  auto repl = background({"--no-watch", "-M", "mods", "repl"});
  repl->write(".refresh\n");
  ASSERT_TRUE(repl->wait_for_out("nothing changed\n")) << repl->out() << repl->err();
  install(fs::path(fixtures::nested), "mods/tools/math.so");
  repl->write(".refresh\n");
  ASSERT_TRUE(repl->wait_for_out("new module 'tools.math' (library, mods/tools/math.so)\n"))
      << repl->out() << repl->err();
  EXPECT_EQ(repl->wait().exit_code, 0);
}

// Reloads by the watcher come out as lines between the results.
TEST_F(Repl, WatchReportsBackgroundReloads) {
  auto repl = background({"-M", "mods", "repl"});
  repl->write(".watch counter\n");
  ASSERT_TRUE(repl->wait_for_out("watching the loaded modules")) << repl->out() << repl->err();
  install(fixtures::counter_v2, "mods/counter.so");
  ASSERT_TRUE(repl->wait_for_out("[OK] Module 'counter' reloaded (library, "))
      << repl->out() << repl->err();
  repl->write("counter.version()\n.watch off\n");
  ASSERT_TRUE(repl->wait_for_out("2\nstopped watching")) << repl->out() << repl->err();
  EXPECT_EQ(repl->wait().exit_code, 0);
}

}  // namespace
}  // namespace hotmod_test
