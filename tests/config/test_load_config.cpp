// load_config: which project file is read, how module paths from every
// layer are ordered, and the errors for files named but not there.
#include <unistd.h>

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "config/locate.hpp"
#include "config_test_support.hpp"
#include "hotmod/config.hpp"
#include "temp_dir_common.hpp"

namespace hotmod {
namespace {

namespace fs = std::filesystem;
using hotmod_test::inputs_in;
using hotmod_test::write_file;
using Paths = std::vector<fs::path>;

class LoadConfig : public ::testing::Test {
 protected:
  hotmod_test::TempDir dir_{"hotmod-config"};
};

// The searches below must not find a stray hotmod.json above the test's
// folder (in /tmp, say): that would be read instead of "no file".
void expect_no_project_file_above(const fs::path& dir) {
  for (fs::path d = dir.parent_path();; d = d.parent_path()) {
    ASSERT_FALSE(fs::exists(d / "hotmod.json"))
        << (d / "hotmod.json") << " exists and would be found by every search below it";
    if (d == d.parent_path()) break;
  }
}

TEST_F(LoadConfig, FindsTheFileInAParentFolderAndResolvesAgainstIt) {
  write_file(dir_ / "hotmod.json", R"({"module_paths": ["mods"], "versions_dir": "v"})");
  fs::create_directories(dir_ / "a/b/c");
  auto config = load_config(inputs_in(dir_ / "a/b/c"));
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->file, dir_ / "hotmod.json");
  EXPECT_EQ(config->options.module_paths, Paths{dir_ / "mods"});
  EXPECT_EQ(config->options.versions_dir, dir_ / "v");
}

TEST_F(LoadConfig, TheNearestFileWinsAndParentsAreNotMerged) {
  write_file(dir_ / "hotmod.json", R"({"dev_mode": true, "debounce_ms": 5})");
  write_file(dir_ / "a/hotmod.json", R"({"debounce_ms": 6})");
  fs::create_directories(dir_ / "a/b");
  auto config = load_config(inputs_in(dir_ / "a/b"));
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->file, dir_ / "a/hotmod.json");
  EXPECT_EQ(config->options.debounce, std::chrono::milliseconds(6));
  EXPECT_FALSE(config->options.dev_mode);
}

// A project file can turn dev mode on and run build commands: one above the
// project's root (its .git, or the home folder) is never read.
TEST_F(LoadConfig, TheSearchStopsAtTheProjectRootOrTheHomeFolder) {
  write_file(dir_ / "hotmod.json", R"({"dev_mode": true})");
  fs::create_directories(dir_ / "project/.git");
  fs::create_directories(dir_ / "project/src/deep");
  auto in_project = load_config(inputs_in(dir_ / "project/src/deep"));
  ASSERT_TRUE(in_project.ok()) << in_project.error().message;
  EXPECT_FALSE(in_project->file) << "above the project's .git";
  EXPECT_FALSE(in_project->options.dev_mode);

  fs::create_directories(dir_ / "home/me/work");
  auto in_home =
      load_config(inputs_in(dir_ / "home/me/work", {{"HOME", (dir_ / "home/me").string()}}));
  ASSERT_TRUE(in_home.ok()) << in_home.error().message;
  EXPECT_FALSE(in_home->file) << "above the home folder";

  write_file(dir_ / "project/hotmod.json", R"({"debounce_ms": 7})");
  auto at_root = load_config(inputs_in(dir_ / "project/src/deep"));
  ASSERT_TRUE(at_root.ok()) << at_root.error().message;
  EXPECT_EQ(at_root->file, dir_ / "project/hotmod.json") << "the root's own file is read";
}

// Someone else's file on the way up (a shared /tmp) is skipped, with a
// warning naming it and its owner. Root's files are trusted, so the file is
// given away (as root) or this process poses as another user.
TEST_F(LoadConfig, AProjectFileOfAnotherUserIsIgnoredWithAWarning) {
  write_file(dir_ / "hotmod.json", R"({"debounce_ms": 5})");
  const fs::path theirs = dir_ / "a/hotmod.json";
  write_file(theirs, R"({"dev_mode": true})");
  uid_t self = ::getuid();
  uid_t owner = self;
  if (self == 0) {
    owner = 65534;
    ASSERT_EQ(::chown(theirs.c_str(), owner, static_cast<gid_t>(-1)), 0);
  } else {
    self = self + 1;
  }
  std::vector<std::string> warnings;
  auto found = config::locate_project_file(inputs_in(dir_ / "a"), {}, dir_ / "a", std::nullopt,
                                           &warnings, self);
  ASSERT_TRUE(found.ok()) << found.error().message;
  if (self == 0)
    EXPECT_EQ(found.value(), std::optional<fs::path>(dir_ / "hotmod.json"))
        << "the next one up, your own";
  else  // posing as another user, both files are someone else's
    EXPECT_EQ(found.value(), std::nullopt);
  ASSERT_GE(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find(fmt::format("ignoring {}: it belongs to another user (uid {})",
                                         theirs.string(), owner)),
            std::string::npos)
      << warnings[0];
  if (::getuid() == 0) {  // the warning reaches the runtime's log
    auto config = load_config(inputs_in(dir_ / "a"));
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_EQ(config->file, dir_ / "hotmod.json");
    EXPECT_FALSE(config->options.dev_mode);
    EXPECT_EQ(config->options.config_warnings, config->warnings);
    ASSERT_EQ(config->warnings.size(), 1u);
  }
}

TEST_F(LoadConfig, NoFileAnywhereIsNoFile) {
  expect_no_project_file_above(dir_.path());
  auto config = load_config(inputs_in(dir_.path()));
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_FALSE(config->file);
  EXPECT_TRUE(config->warnings.empty());
  EXPECT_EQ(config->origin.at("dev_mode"), "default");
}

TEST_F(LoadConfig, AFolderNamedHotmodJsonIsNotAProjectFile) {
  expect_no_project_file_above(dir_.path());
  fs::create_directories(dir_ / "hotmod.json");
  auto config = load_config(inputs_in(dir_.path()));
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_FALSE(config->file);
}

TEST_F(LoadConfig, SearchCanBeTurnedOff) {
  write_file(dir_ / "hotmod.json", R"({"dev_mode": true})");
  ConfigInputs in = inputs_in(dir_.path());
  in.find_project_file = false;
  auto config = load_config(in);
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_FALSE(config->file);
  EXPECT_FALSE(config->options.dev_mode);
}

TEST_F(LoadConfig, ConfigFlagBeatsHotmodConfigBeatsTheSearch) {
  write_file(dir_ / "hotmod.json", R"({"debounce_ms": 1})");
  write_file(dir_ / "env.json", R"({"debounce_ms": 2})");
  write_file(dir_ / "conf/cli.json", R"({"debounce_ms": 3, "module_paths": ["m"]})");
  // Both names are relative to the current folder.
  ConfigInputs in = inputs_in(dir_.path(), {{"HOTMOD_CONFIG", "env.json"}});
  auto env = load_config(in);
  ASSERT_TRUE(env.ok()) << env.error().message;
  EXPECT_EQ(env->file, dir_ / "env.json");
  EXPECT_EQ(env->options.debounce, std::chrono::milliseconds(2));

  std::vector<std::string> args{"--config", "conf/cli.json"};
  in.command_line = *parse_command_line(args);
  auto cli = load_config(in);
  ASSERT_TRUE(cli.ok()) << cli.error().message;
  EXPECT_EQ(cli->file, dir_ / "conf/cli.json");
  EXPECT_EQ(cli->options.debounce, std::chrono::milliseconds(3));
  // Paths in it are relative to its own folder.
  EXPECT_EQ(cli->options.module_paths, Paths{dir_ / "conf/m"});
}

TEST_F(LoadConfig, ANamedFileThatIsNotThereIsAnErrorNamingItAndWhoNamedIt) {
  write_file(dir_ / "hotmod.json", "{}");  // never a silent fallback
  std::vector<std::string> args{"--config=missing.json"};
  ConfigInputs cli = inputs_in(dir_.path());
  cli.command_line = *parse_command_line(args);
  auto by_flag = load_config(cli);
  ASSERT_FALSE(by_flag.ok());
  EXPECT_EQ(by_flag.error().message,
            "config file " + (dir_ / "missing.json").string() +
                " (named by --config) does not exist; check the name (a relative path is taken "
                "from " +
                dir_.path().string() + ")");

  auto by_env = load_config(inputs_in(dir_.path(), {{"HOTMOD_CONFIG", "/nowhere/x.json"}}));
  ASSERT_FALSE(by_env.ok());
  EXPECT_EQ(by_env.error().message,
            "config file /nowhere/x.json (named by HOTMOD_CONFIG) does not exist; check the name");

  ConfigInputs host = inputs_in(dir_.path());
  host.defaults.config_file = "etc/app.json";
  auto by_host = load_config(host);
  ASSERT_FALSE(by_host.ok());
  EXPECT_NE(by_host.error().message.find("(named by the host's defaults) does not exist"),
            std::string::npos);
}

TEST_F(LoadConfig, ANamedFolderOrLoopIsAnErrorWithTheFix) {
  fs::create_directories(dir_ / "conf");
  auto folder = load_config(inputs_in(dir_.path(), {{"HOTMOD_CONFIG", "conf"}}));
  ASSERT_FALSE(folder.ok());
  EXPECT_EQ(folder.error().message, "config file " + (dir_ / "conf").string() +
                                        " (named by HOTMOD_CONFIG) is a folder; name the file "
                                        "in it, e.g. " +
                                        (dir_ / "conf/hotmod.json").string());

  fs::create_symlink("loop", dir_ / "loop");
  auto loop = load_config(inputs_in(dir_.path(), {{"HOTMOD_CONFIG", "loop"}}));
  ASSERT_FALSE(loop.ok());
  EXPECT_EQ(loop.error().message.rfind("config file " + (dir_ / "loop").string() +
                                           " (named by HOTMOD_CONFIG) cannot be examined: ",
                                       0),
            0u)
      << loop.error().message;
}

TEST_F(LoadConfig, ModulePathsFromEveryLayerInOrderWithoutDuplicates) {
  write_file(dir_ / "proj/hotmod.json", R"({"module_paths": ["file1", "../shared", "file2/"]})");
  ConfigInputs in = inputs_in(dir_ / "proj", {{"HOTMOD_MODULE_PATH", "/env1:shared:env2"}});
  std::vector<std::string> args{"-M", "cli1", "--module-path", "/abs/cli2", "-M", "./cli1/"};
  in.command_line = *parse_command_line(args);
  in.defaults.module_paths = {"default1", "file1", "/env1"};
  fs::create_directories(dir_ / "proj");
  auto config = load_config(in);
  ASSERT_TRUE(config.ok()) << config.error().message;
  const fs::path p = dir_ / "proj";
  // Command line, then file, then environment, then defaults; relative
  // paths from the current folder, the file's from the file's folder; the
  // same folder written twice is kept where it first appears.
  EXPECT_EQ(config->options.module_paths,
            (Paths{p / "cli1", "/abs/cli2", p / "file1", dir_ / "shared", p / "file2", "/env1",
                   p / "shared", p / "env2", p / "default1"}));
  EXPECT_EQ(config->origin.at("module_paths"),
            "command line (-M), " + (p / "hotmod.json").string() +
                ":1, environment (HOTMOD_MODULE_PATH), defaults (host)");
}

TEST_F(LoadConfig, ModuleConfigAndBuildRulesPerModule) {
  write_file(dir_ / "hotmod.json", R"({
    "modules": {
      "physics": {"config": {"gravity": 9.81}, "build": "make physics", "sources": ["src/*.cpp"]},
      "algorithms.sorting": {"config": {"limit": 3}},
      "renderer": {"build": "make renderer"}
    }
  })");
  auto config = load_config(inputs_in(dir_.path()));
  ASSERT_TRUE(config.ok()) << config.error().message;
  const RuntimeOptions& o = config->options;
  EXPECT_EQ(o.module_config.at("physics").at("gravity").get<double>(), 9.81);
  EXPECT_EQ(o.module_config.at("algorithms.sorting").at("limit").get<int>(), 3);
  EXPECT_EQ(o.module_config.count("renderer"), 0u);
  ASSERT_EQ(o.builds.size(), 2u);
  EXPECT_EQ(o.builds.at("renderer").command, "make renderer");
  EXPECT_TRUE(o.builds.at("renderer").sources.empty());
  EXPECT_EQ(o.builds.at("renderer").directory, dir_.path());
  EXPECT_EQ(o.builds.at("physics").sources, std::vector<std::string>{"src/*.cpp"});
}

// An empty cwd means the process's current folder.
TEST_F(LoadConfig, EmptyCwdIsTheCurrentFolder) {
  write_file(dir_ / "hotmod.json", R"({"debounce_ms": 9, "module_paths": ["m"]})");
  const fs::path before = fs::current_path();
  fs::current_path(dir_.path());
  ConfigInputs in;
  in.getenv = hotmod_test::getenv_from({});
  auto config = load_config(in);
  fs::current_path(before);
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->file, dir_ / "hotmod.json");
  EXPECT_EQ(config->options.debounce, std::chrono::milliseconds(9));
  EXPECT_EQ(config->options.module_paths, Paths{dir_ / "m"});
}

// The whole path a host takes, as the header shows it.
TEST_F(LoadConfig, HostWalkthrough) {
  write_file(dir_ / "hotmod.json", "{\n  \"dev_mode\": true,\n  \"modules\": {}\n}\n");
  std::vector<std::string> args{"--log-level", "warn", "level1.map", "-M", "extra"};
  ConfigInputs in = inputs_in(dir_.path(), {{"HOTMOD_HOT_RELOAD", "false"}});
  auto cli = parse_command_line(args);
  ASSERT_TRUE(cli.ok()) << cli.error().message;
  in.command_line = *cli;
  in.defaults.module_paths = {"build/modules"};
  auto config = load_config(in);
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(args, std::vector<std::string>{"level1.map"});
  EXPECT_TRUE(config->options.dev_mode);
  EXPECT_FALSE(config->options.hot_reload);
  EXPECT_EQ(config->options.log_level, LogLevel::warn);
  EXPECT_EQ(config->options.module_paths, (Paths{dir_ / "extra", dir_ / "build/modules"}));
  EXPECT_EQ(config->origin.at("dev_mode"), (dir_ / "hotmod.json").string() + ":2");
  EXPECT_EQ(config->origin.at("hot_reload"), "environment (HOTMOD_HOT_RELOAD)");
  EXPECT_EQ(config->origin.at("log_level"), "command line (--log-level)");
}

}  // namespace
}  // namespace hotmod
