// The command line itself: --version, --help, unknown flags and commands,
// and the global flags handed to hotmod's configuration layer.
#include <gtest/gtest.h>

#include <hotmod/config.hpp>

#include "cli_test_support.hpp"

namespace hotmod_test {
namespace {

using Cli = CliTest;

TEST_F(Cli, VersionIsTheProjectVersion) {
  const Ran run = hotmod({"--version"});
  EXPECT_EQ(run.exit_code, 0) << shown(run);
  EXPECT_EQ(run.out, "hotmod " HOTMOD_VERSION "\n");
}

TEST_F(Cli, HelpListsEveryCommandTheGlobalFlagsAndExamples) {
  const Ran run = hotmod({"--help"});
  EXPECT_EQ(run.exit_code, 0) << shown(run);
  for (const char* part :
       {"--module-path", "--config", "--dev", "--no-dev", "--no-watch", "--log-level", "--version",
        "Examples:", "hotmod -M build/modules build"})
    EXPECT_TRUE(has(run.out, part)) << part << "\n" << run.out;
  for (const char* command : {"build", "call", "doctor", "info", "memreport", "modules", "new",
                              "perfmon", "repl", "watch"}) {
    EXPECT_TRUE(has(run.out, std::string("\n  ") + command + " ")) << command << "\n" << run.out;
    EXPECT_TRUE(has(run.out, std::string(" ") + command)) << "an example of " << command;
  }
}

TEST_F(Cli, EveryCommandHasItsOwnHelp) {
  for (const char* command : {"build", "call", "doctor", "info", "memreport", "modules", "new",
                              "perfmon", "repl", "watch"}) {
    const Ran run = hotmod({command, "--help"});
    EXPECT_EQ(run.exit_code, 0) << command << "\n" << shown(run);
    EXPECT_TRUE(has(run.out, std::string("hotmod ") + command)) << command << "\n" << run.out;
  }
}

TEST_F(Cli, BuildHelpNamesItsArguments) {
  const Ran run = hotmod({"build", "--help"});
  EXPECT_EQ(run.exit_code, 0) << shown(run);
  EXPECT_TRUE(has(run.out, "NAME")) << run.out;
  EXPECT_TRUE(has(run.out, "cache")) << run.out;
}

TEST_F(Cli, AnUnknownFlagIsAUsageError) {
  const Ran run = hotmod({"--frobnicate", "build"});
  EXPECT_EQ(run.exit_code, 2) << shown(run);
  EXPECT_TRUE(has(run.err, "hotmod: error: ")) << run.err;
  EXPECT_TRUE(has(run.err, "--frobnicate")) << run.err;
  EXPECT_TRUE(has(run.err, "hotmod --help")) << run.err;
}

TEST_F(Cli, NoCommandIsAUsageError) {
  const Ran run = hotmod({});
  EXPECT_EQ(run.exit_code, 2) << shown(run);
  EXPECT_TRUE(has(run.err, "hotmod: error: ")) << run.err;
}

TEST_F(Cli, AnUnknownCommandIsAUsageError) {
  const Ran run = hotmod({"frobnicate"});
  EXPECT_EQ(run.exit_code, 2) << shown(run);
  EXPECT_TRUE(has(run.err, "frobnicate")) << run.err;
  EXPECT_TRUE(has(run.err, "commands: build, call, doctor,")) << run.err;
}

TEST_F(Cli, AMistypedCommandNamesTheNearest) {
  const Ran run = hotmod({"moduels"});
  EXPECT_EQ(run.exit_code, 2) << shown(run);
  EXPECT_TRUE(has(run.err, "unknown command 'moduels'; did you mean 'modules'?")) << run.err;
}

// The value is checked by hotmod's own flag parser, with its message.
TEST_F(Cli, ABadLogLevelNamesTheFlagAndTheLevels) {
  const Ran run = hotmod({"--log-level", "loud", "build"});
  EXPECT_EQ(run.exit_code, 2) << shown(run);
  EXPECT_TRUE(has(run.err, "--log-level: 'loud' is not a log level; use trace")) << run.err;
}

// Every flag a host takes, `hotmod` takes: its flags are the host's table.
TEST_F(Cli, EveryFlagAHostTakesIsInTheHelpAndAccepted) {
  const Ran help = hotmod({"--help"});
  for (const hotmod::CommandLineFlag& f : hotmod::command_line_flags()) {
    EXPECT_TRUE(has(help.out, std::string(f.name))) << f.name << "\n" << help.out;
    if (!f.alias.empty()) {
      EXPECT_TRUE(has(help.out, std::string(f.alias))) << f.alias;
    }
  }
  const Ran run = hotmod({"--debounce-ms", "5", "-M", "mods", "modules"});
  EXPECT_EQ(run.exit_code, 0) << shown(run);
  const Ran bad = hotmod({"modules", "--debounce-ms=soon"});
  EXPECT_EQ(bad.exit_code, 2) << shown(bad);
  EXPECT_TRUE(has(bad.err, "--debounce-ms: 'soon' is not a number of milliseconds")) << bad.err;
}

TEST_F(Cli, ABadProjectFileNamesFileLineAndKey) {
  write("hotmod.json", "{\"cxx\": {\n  \"jobs\": -1}}");
  const Ran run = hotmod({"-M", "mods", "build"});
  EXPECT_EQ(run.exit_code, 2) << shown(run);
  EXPECT_TRUE(has(run.err, "hotmod: error: " + (dir_ / "hotmod.json").string() +
                               ":2: 'cxx.jobs' must be a whole number, 0 or more"))
      << run.err;
}

TEST_F(Cli, AMissingConfigFileIsNamed) {
  const Ran run = hotmod({"--config", "nope.json", "build"});
  EXPECT_EQ(run.exit_code, 2) << shown(run);
  EXPECT_TRUE(has(run.err, "nope.json (named by --config) does not exist")) << run.err;
}

TEST_F(Cli, WithoutModuleFoldersBuildSaysHowToNameOne) {
  const Ran run = hotmod({"build"});
  EXPECT_EQ(run.exit_code, 2) << shown(run);
  EXPECT_TRUE(has(run.err, "no module folders to look in; pass -M DIR")) << run.err;
}

TEST_F(Cli, NothingToBuildIsNotAnError) {
  const Ran run = hotmod({"-M", "mods", "build"});
  EXPECT_EQ(run.exit_code, 0) << shown(run);
  EXPECT_TRUE(has(run.out, "nothing to build")) << run.out;
}

}  // namespace
}  // namespace hotmod_test
