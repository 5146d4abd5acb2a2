// `hotmod call MODULE.FUNCTION [ARG...]`: JSON in, JSON out, and an exit
// code a script can act on — 0 the result, 1 the call failed, 2 the command
// line is wrong.
#include <regex>

#include <gtest/gtest.h>

#include "cli_test_support.hpp"
#include "fixture_paths.hpp"

namespace hotmod_test {
namespace {

namespace fs = std::filesystem;

class Call : public CliTest {
 protected:
  Call() {
    fs::copy_file(fixtures::counter_v1, mods() / "counter.so");
    install(fs::path(fixtures::nested), "mods/tools/math.so");
  }
};

TEST_F(Call, PrintsTheResultAsJson) {
  const Ran run = hotmod({"-M", "mods", "call", "counter.add", "2", "3"});
  EXPECT_EQ(run.exit_code, 0) << shown(run);
  EXPECT_EQ(run.out, "5\n");
  EXPECT_EQ(run.err, "") << "nothing but the result when it works";
}

TEST_F(Call, TextArgumentsAreQuotedJson) {
  const Ran run = hotmod({"-M", "mods", "call", "counter.greet", "\"Ada\"", "2"});
  EXPECT_EQ(run.exit_code, 0) << shown(run);
  EXPECT_EQ(run.out, "\"v1: hello Ada hello Ada\"\n");
}

TEST_F(Call, TheModuleNameEndsAtTheLastDot) {
  const Ran run = hotmod({"-M", "mods", "call", "tools.math.mul", "2", "2.5"});
  EXPECT_EQ(run.exit_code, 0) << shown(run);
  EXPECT_EQ(run.out, "5.0\n");
}

// The help's own example: CLI11 would split a bracketed value into three
// arguments; a JSON array reaches the function as one.
TEST_F(Call, AJsonArrayIsOneArgument) {
  write("mods/algorithms/sorting.lua",
        "return {quick = function(xs) table.sort(xs) return xs end,\n"
        "        count = function(...) return select('#', ...) end}\n");
  const Ran sorted = hotmod({"-M", "mods", "call", "algorithms.sorting.quick", "[3,1,2]"});
  EXPECT_EQ(sorted.exit_code, 0) << shown(sorted);
  EXPECT_EQ(sorted.out, "[\n  1,\n  2,\n  3\n]\n");
  const Ran counted =
      hotmod({"-M", "mods", "call", "algorithms.sorting.count", "[1,2]", "{\"a\":[3,4]}", "5"});
  EXPECT_EQ(counted.exit_code, 0) << shown(counted);
  EXPECT_EQ(counted.out, "3\n");
}

TEST_F(Call, NegativeNumbersAreArgumentsNotFlags) {
  const Ran run = hotmod({"-M", "mods", "call", "counter.add", "-1", "-2"});
  EXPECT_EQ(run.exit_code, 0) << shown(run);
  EXPECT_EQ(run.out, "-3\n");
}

TEST_F(Call, ABareWordIsAUsageErrorShowingItQuoted) {
  const Ran run = hotmod({"-M", "mods", "call", "counter.greet", "Ada", "2"});
  EXPECT_EQ(run.exit_code, 2) << shown(run);
  EXPECT_TRUE(has(run.err,
                  "argument 1 (Ada) is not a JSON value; to pass it as text, quote "
                  "it: '\"Ada\"'"))
      << run.err;
  EXPECT_EQ(run.out, "");
}

TEST_F(Call, ANameWithoutADotIsAUsageError) {
  const Ran run = hotmod({"-M", "mods", "call", "counter"});
  EXPECT_EQ(run.exit_code, 2) << shown(run);
  EXPECT_TRUE(has(run.err, "'counter' does not name a function; write MODULE.FUNCTION")) << run.err;
}

// Only `call` takes what no option does: elsewhere it is a usage error.
TEST_F(Call, OtherCommandsRefuseArgumentsTheyDoNotTake) {
  const Ran run = hotmod({"-M", "mods", "modules", "[1,2]", "stray"});
  EXPECT_EQ(run.exit_code, 2) << shown(run);
  EXPECT_TRUE(has(run.err, "The following arguments were not expected: ")) << run.err;
  EXPECT_TRUE(has(run.err, "[1,2]") && has(run.err, "stray")) << run.err;
  EXPECT_EQ(run.out, "");
}

TEST_F(Call, AnUnknownModuleNamesTheNearestOne) {
  const Ran run = hotmod({"-M", "mods", "call", "countr.add", "1", "2"});
  EXPECT_EQ(run.exit_code, 1) << shown(run);
  EXPECT_TRUE(has(run.err, "hotmod: error: no module named 'countr'")) << run.err;
  EXPECT_TRUE(has(run.err, "did you mean 'counter'?")) << run.err;
}

TEST_F(Call, AnUnknownFunctionListsTheExportedOnes) {
  const Ran run = hotmod({"-M", "mods", "call", "counter.ad", "1", "2"});
  EXPECT_EQ(run.exit_code, 1) << shown(run);
  EXPECT_TRUE(has(run.err, "module 'counter' has no function 'ad'; it exports: ")) << run.err;
  EXPECT_TRUE(has(run.err, "add")) << run.err;
}

TEST_F(Call, WrongArgumentsSayWhatTheFunctionTakes) {
  const Ran run = hotmod({"-M", "mods", "call", "counter.add", "1"});
  EXPECT_EQ(run.exit_code, 1) << shown(run);
  EXPECT_TRUE(has(run.err, "add takes 2 arguments")) << run.err;
}

TEST_F(Call, AFunctionThatThrowsIsAnError) {
  const Ran run = hotmod({"-M", "mods", "call", "counter.fail", "\"on purpose\""});
  EXPECT_EQ(run.exit_code, 1) << shown(run);
  EXPECT_TRUE(has(run.err, "fail threw: on purpose")) << run.err;
  EXPECT_EQ(run.out, "");
}

// The guest that crashes on purpose: the process dies with it (a module
// runs in the host's address space), and dev mode says where.
TEST_F(Call, AFunctionThatCrashesFailsWithItsBacktraceAndExits1) {
  // Contained (dev mode): the call fails, naming module and signal, and
  // hotmod exits as for any failed call.
  const Ran run = hotmod({"-M", "mods", "call", "counter.crash"});
  EXPECT_EQ(run.exit_code, 1) << shown(run);
  EXPECT_TRUE(has(run.err, "counter.cpp")) << run.err;
  EXPECT_TRUE(has(run.err, "module 'counter' version")) << run.err;
  EXPECT_TRUE(has(run.err, "SIGSEGV")) << run.err;
}

TEST_F(Call, ASourceModuleIsCompiledThenCalled) {
  write("mods/hello.cpp", kGoodModule);
  const Ran run = hotmod({"-M", "mods", "call", "hello.answer"});
  EXPECT_EQ(run.exit_code, 0) << shown(run);
  EXPECT_EQ(run.out, "42\n");
}

TEST_F(Call, ASourceModuleThatDoesNotCompileShowsWhereAndExits1) {
  write("mods/hello.cpp", kBrokenModule);
  const Ran run = hotmod({"-M", "mods", "call", "hello.answer"});
  EXPECT_EQ(run.exit_code, 1) << shown(run);
  EXPECT_TRUE(std::regex_search(run.err, std::regex("hello\\.cpp:3:[0-9]+: error:"))) << run.err;
  EXPECT_EQ(run.out, "");
}

TEST_F(Call, ProductionModeDoesNotCompile) {
  write("mods/hello.cpp", kGoodModule);
  const Ran run = hotmod({"--no-dev", "-M", "mods", "call", "hello.answer"});
  EXPECT_EQ(run.exit_code, 1) << shown(run);
  EXPECT_TRUE(has(run.err, "hotmod build hello")) << run.err;
}

}  // namespace
}  // namespace hotmod_test
