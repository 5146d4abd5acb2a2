// Dev mode: the runtime watches its module files and reloads a loaded module
// when its file is saved (or its sources, through a build rule); production
// mode and hot reload off watch nothing.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include <hotmod/config.hpp>

#include "support.hpp"

namespace hotmod_test {
namespace {

using namespace std::chrono_literals;

class AutoReloadTest : public RuntimeTest {
 protected:
  hotmod::RuntimeOptions dev_options() const {
    hotmod::RuntimeOptions o = options();
    o.dev_mode = true;
    o.debounce = 10ms;
    return o;
  }
  fs::path src() const { return tmp_.path() / "src"; }
};

TEST_F(AutoReloadTest, AtomicReplaceReloadsALoadedModule) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(dev_options());
  EventLog events(rt.bus());
  hotmod::Module m = load(rt);
  ASSERT_TRUE(rt.watching().has_value()) << logs_->dump();

  install(fixtures::counter_v2);
  ASSERT_TRUE(wait_until([&] { return call_int(m, "version") == 2; })) << logs_->dump();
  ASSERT_TRUE(rt.sync()) << logs_->dump();
  EXPECT_EQ(events.count("module.reloaded"), 1u) << "one save, one reload";
  EXPECT_EQ(events.count("module.reload_failed"), 0u) << logs_->dump();
  EXPECT_TRUE(logs_->contains(hotmod::LogLevel::info, {"reloaded module 'counter'", "copy "}))
      << "dev mode logs the stages\n"
      << logs_->dump();
}

TEST_F(AutoReloadTest, InPlaceWriteReloadsOnce) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(dev_options());
  EventLog events(rt.bus());
  hotmod::Module m = load(rt);

  install_in_place(fixtures::counter_v2);
  ASSERT_TRUE(wait_until([&] { return call_int(m, "version") == 2; })) << logs_->dump();
  ASSERT_TRUE(rt.sync()) << logs_->dump();
  EXPECT_EQ(events.count("module.reloaded"), 1u);
  EXPECT_EQ(events.count("module.reload_failed"), 0u) << logs_->dump();
}

TEST_F(AutoReloadTest, AFileStillBeingWrittenIsNotLoaded) {
  // A slow writer: half the file, a pause of many debounce windows, the
  // rest, then close. Only the closed file may be loaded.
  install(fixtures::counter_v1);
  hotmod::Runtime rt(dev_options());
  EventLog events(rt.bus());
  hotmod::Module m = load(rt);

  std::ifstream in(fixtures::counter_v2, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const fs::path file = modules() / "counter.so";
  int fd = ::open(file.c_str(), O_WRONLY | O_TRUNC);
  ASSERT_GE(fd, 0);
  const std::size_t half = bytes.size() / 2;
  ASSERT_EQ(::write(fd, bytes.data(), half), static_cast<ssize_t>(half));
  // The writer pauses: the watcher handles everything it has seen.
  ASSERT_TRUE(rt.sync()) << logs_->dump();
  EXPECT_EQ(events.count("module.reload_failed"), 0u) << "read half a file\n" << logs_->dump();
  ASSERT_EQ(::write(fd, bytes.data() + half, bytes.size() - half),
            static_cast<ssize_t>(bytes.size() - half));
  ::close(fd);

  ASSERT_TRUE(wait_until([&] { return call_int(m, "version") == 2; })) << logs_->dump();
  ASSERT_TRUE(rt.sync()) << logs_->dump();
  EXPECT_EQ(events.count("module.reloaded"), 1u);
  EXPECT_EQ(events.count("module.reload_failed"), 0u) << logs_->dump();
}

TEST_F(AutoReloadTest, DeletedThenRebuiltModuleKeepsRunningThenReloads) {
  // A clean build: the file goes away, and comes back later.
  fs::path file = install(fixtures::counter_v1);
  hotmod::Runtime rt(dev_options());
  EventLog events(rt.bus());
  hotmod::Module m = load(rt);

  fs::remove(file);
  ASSERT_TRUE(wait_until([&] { return events.count("module.vanished") == 1; })) << logs_->dump();
  EXPECT_EQ(call_int(m, "version"), 1) << "a vanished module keeps running";

  install(fixtures::counter_v2);
  ASSERT_TRUE(wait_until([&] { return call_int(m, "version") == 2; })) << logs_->dump();
  EXPECT_EQ(events.count("module.reload_failed"), 0u) << logs_->dump();
}

// sync() is the barrier tests and tools use after changing files: when it
// returns, what the change started is done — no polling for the outcome.
TEST_F(AutoReloadTest, SyncReturnsOnceTheChangesMadeBeforeItAreHandled) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(dev_options());
  EventLog events(rt.bus());
  hotmod::Module m = load(rt);
  for (int i = 1; i <= 4; ++i) {
    const bool two = i % 2 == 1;
    install(two ? fixtures::counter_v2 : fixtures::counter_v1);
    ASSERT_TRUE(rt.sync()) << logs_->dump();
    EXPECT_EQ(call_int(m, "version"), two ? 2 : 1) << "reloaded before sync() returned";
    EXPECT_EQ(events.count("module.reloaded"), static_cast<std::size_t>(i))
        << "its event delivered too\n"
        << logs_->dump();
  }
  ASSERT_TRUE(rt.sync()) << "with nothing changed, too";

  std::atomic<int> from_worker{-1};
  rt.on_reload([&](const hotmod::ReloadStats&) { from_worker = rt.sync(5s) ? 1 : 0; });
  install(fixtures::counter_v2);
  ASSERT_TRUE(rt.sync()) << logs_->dump();
  EXPECT_EQ(from_worker.load(), 0) << "the watcher's own thread cannot wait for itself";
  EXPECT_EQ(call_int(m, "version"), 2);
}

TEST_F(AutoReloadTest, ModulesNeverLoadedOnlyUpdateDiscovery) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(dev_options());
  EventLog events(rt.bus());

  install(fixtures::counter_v2);           // known, never loaded
  install(fixtures::sticky, "sticky.so");  // new
  ASSERT_TRUE(wait_until([&] { return events.count("module.discovered") == 1; })) << logs_->dump();
  ASSERT_TRUE(rt.sync()) << logs_->dump();
  EXPECT_EQ(events.payloads("module.discovered")[0]["name"], "sticky");
  EXPECT_EQ(events.count("module.loaded"), 0u) << "nothing is loaded before its first use";
  EXPECT_EQ(events.count("module.reloaded"), 0u);
  EXPECT_FALSE(rt.info("counter")->loaded);
}

TEST_F(AutoReloadTest, ProductionModeWatchesNothing) {
  install(fixtures::counter_v1);
  hotmod::RuntimeOptions o = options();
  o.dev_mode = false;
  hotmod::Runtime rt(o);
  EventLog events(rt.bus());
  hotmod::Module m = load(rt);
  EXPECT_FALSE(rt.watching().has_value());
  EXPECT_TRUE(logs_->contains(hotmod::LogLevel::info, {"production mode", "no watcher"}))
      << logs_->dump();

  install(fixtures::counter_v2);
  EXPECT_FALSE(rt.sync()) << "nothing watches, so there is nothing to wait for";
  EXPECT_EQ(call_int(m, "version"), 1);
  EXPECT_EQ(events.count("module.reloaded"), 0u);
}

TEST_F(AutoReloadTest, HotReloadOffIgnoresChangesAndSaysSo) {
  install(fixtures::counter_v1);
  hotmod::RuntimeOptions o = dev_options();
  o.hot_reload = false;
  hotmod::Runtime rt(o);
  EventLog events(rt.bus());
  hotmod::Module m = load(rt);
  EXPECT_FALSE(rt.watching().has_value());
  EXPECT_TRUE(logs_->contains(hotmod::LogLevel::debug, {"hot reload is off", "ignored"}))
      << logs_->dump();
  std::size_t said = 0;
  for (const auto& line : logs_->lines())
    if (line.text.find("hot reload is off") != std::string::npos) ++said;
  EXPECT_EQ(said, 1u) << "said once";

  install(fixtures::counter_v2);
  EXPECT_FALSE(rt.sync()) << "nothing watches, so there is nothing to wait for";
  EXPECT_EQ(call_int(m, "version"), 1);
  EXPECT_EQ(events.count("module.reloaded"), 0u);
}

TEST_F(AutoReloadTest, DevModeSwitchesAtRunTime) {
  install(fixtures::counter_v1);
  hotmod::RuntimeOptions o = options();
  o.debounce = 10ms;
  hotmod::Runtime rt(o);
  hotmod::Module m = load(rt);
  EXPECT_FALSE(rt.dev_mode());
  EXPECT_FALSE(rt.watching().has_value());

  rt.set_dev_mode(true);
  EXPECT_TRUE(rt.dev_mode());
  ASSERT_TRUE(rt.watching().has_value()) << logs_->dump();
  install(fixtures::counter_v2);
  ASSERT_TRUE(wait_until([&] { return call_int(m, "version") == 2; })) << logs_->dump();
  // The swap comes before the log line that reports it.
  EXPECT_TRUE(wait_until([&] {
    return logs_->contains(hotmod::LogLevel::info, {"reloaded module 'counter'", ".cpp:"});
  })) << "dev mode lines carry their source location\n"
      << logs_->dump();

  rt.set_dev_mode(false);
  EXPECT_FALSE(rt.watching().has_value());
  install(fixtures::counter_v1);
  EXPECT_FALSE(rt.sync()) << "nothing watches any more";
  EXPECT_EQ(call_int(m, "version"), 2) << "production mode: no more reloads";
}

TEST_F(AutoReloadTest, BuildRuleRunsWhenASourceChanges) {
  install(fixtures::counter_v1);
  fs::create_directories(src());
  write_text(src() / "counter.cpp", "// v1\n");
  hotmod::RuntimeOptions o = dev_options();
  // The "build": copy the v2 fixture into place, as a linker would.
  o.builds["counter"] = {"cp '" + std::string(fixtures::counter_v2) + "' modules/counter.so.tmp" +
                             " && mv modules/counter.so.tmp modules/counter.so",
                         {"src/*.cpp"},
                         tmp_.path()};
  hotmod::Runtime rt(o);
  std::vector<hotmod::ReloadStats> seen;
  std::mutex mu;
  rt.on_reload([&](const hotmod::ReloadStats& s) {
    std::lock_guard lock(mu);
    seen.push_back(s);
  });
  hotmod::Module m = load(rt);

  write_text(src() / "notes.txt", "not a source\n");
  ASSERT_TRUE(rt.sync()) << logs_->dump();
  EXPECT_EQ(call_int(m, "version"), 1) << "a file outside the rule's globs builds nothing";

  write_text(src() / "counter.cpp", "// v2\n");
  ASSERT_TRUE(wait_until([&] { return call_int(m, "version") == 2; })) << logs_->dump();
  ASSERT_TRUE(rt.sync()) << logs_->dump();
  std::lock_guard lock(mu);
  std::size_t reloads = 0;
  for (const auto& s : seen)
    if (!s.first_load) {
      ++reloads;
      EXPECT_TRUE(s.success) << s.error;
      EXPECT_GT(s.stages.build.count(), 0) << "the build's time is part of the reload";
    }
  EXPECT_EQ(reloads, 1u) << "the build's own output change does not reload twice";
  EXPECT_TRUE(logs_->contains(hotmod::LogLevel::info, {"building module 'counter'"}));
}

TEST_F(AutoReloadTest, FailedBuildKeepsTheRunningVersionAndShowsItsOutput) {
  install(fixtures::counter_v1);
  fs::create_directories(src());
  write_text(src() / "counter.cpp", "// v1\n");
  hotmod::RuntimeOptions o = dev_options();
  o.builds["counter"] = {"echo 'src/counter.cpp:3:1: error: expected ; before }' >&2; exit 1",
                         {"src/**"},
                         tmp_.path()};
  hotmod::Runtime rt(o);
  EventLog events(rt.bus());
  hotmod::Module m = load(rt);

  write_text(src() / "counter.cpp", "// broken\n");
  ASSERT_TRUE(wait_until([&] { return events.count("module.reload_failed") == 1; }))
      << logs_->dump();
  const hotmod::Value failed = events.payloads("module.reload_failed")[0];
  EXPECT_EQ(failed["stage"], "build");
  EXPECT_EQ(failed["failure"], "build_failed");
  EXPECT_NE(failed["error"].get<std::string>().find("exit code 1"), std::string::npos) << failed;
  EXPECT_NE(failed["diagnostics"].get<std::string>().find("error: expected ;"), std::string::npos)
      << failed;
  EXPECT_TRUE(logs_->contains(hotmod::LogLevel::error, {"build output", "error: expected ;"}))
      << logs_->dump();
  EXPECT_EQ(call_int(m, "version"), 1) << "the old version keeps running";
}

TEST_F(AutoReloadTest, ExplicitReloadRunsTheBuildRuleInDevMode) {
  install(fixtures::counter_v1);
  hotmod::RuntimeOptions o = dev_options();
  o.hot_reload = false;  // no watcher: only the explicit reload builds
  o.builds["counter"] = {"cp '" + std::string(fixtures::counter_v2) + "' modules/counter.so",
                         {"src/*.cpp"},
                         tmp_.path()};
  hotmod::Runtime rt(o);
  hotmod::Module m = load(rt);
  hotmod::ReloadStats s = rt.reload("counter");
  ASSERT_TRUE(s.success) << s.error;
  EXPECT_GT(s.stages.build.count(), 0);
  EXPECT_EQ(call_int(m, "version"), 2);
}

// A build that runs past limits.build_s is stopped, whole process group,
// and reported as timed out naming the key; the running version serves on.
TEST_F(AutoReloadTest, ABuildPastItsTimeLimitIsStoppedAndTheRunningVersionKept) {
  install(fixtures::counter_v1);
  hotmod::RuntimeOptions o = dev_options();
  o.hot_reload = false;
  o.limits.build = std::chrono::seconds(1);
  o.builds["counter"] = {"sleep 60 & sleep 60; wait", {"src/*.cpp"}, tmp_.path()};
  hotmod::Runtime rt(o);
  hotmod::Module m = load(rt);
  const auto start = std::chrono::steady_clock::now();
  hotmod::ReloadStats s = rt.reload("counter");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 30s);
  EXPECT_FALSE(s.success);
  EXPECT_EQ(s.failure, hotmod::Failure::timed_out);
  EXPECT_NE(s.error.find("stopped after 1 s, its time limit"), std::string::npos) << s.error;
  EXPECT_NE(s.error.find("limits.build_s"), std::string::npos) << s.error;
  EXPECT_EQ(call_int(m, "version"), 1);
}

TEST_F(AutoReloadTest, ProductionModeRunsNoBuildTools) {
  install(fixtures::counter_v1);
  hotmod::RuntimeOptions o = options();
  o.builds["counter"] = {"touch build-ran", {"src/*.cpp"}, tmp_.path()};
  hotmod::Runtime rt(o);
  hotmod::Module m = load(rt);
  install(fixtures::counter_v2);
  hotmod::ReloadStats s = rt.reload("counter");
  ASSERT_TRUE(s.success) << s.error;
  EXPECT_EQ(s.stages.build.count(), 0);
  EXPECT_FALSE(fs::exists(tmp_.path() / "build-ran"));
  EXPECT_EQ(call_int(m, "version"), 2) << "the file on disk is loaded as it is";
}

TEST_F(AutoReloadTest, ABuildThatWritesIntoItsOwnSourcesRunsOnce) {
  install(fixtures::counter_v1);
  fs::create_directories(src());
  write_text(src() / "counter.cpp", "// v1\n");
  hotmod::RuntimeOptions o = dev_options();
  // A generator writing into the folder its rule watches.
  o.builds["counter"] = {"date +%N > src/generated.cpp && cp '" +
                             std::string(fixtures::counter_v2) + "' modules/counter.so",
                         {"src/**"},
                         tmp_.path()};
  hotmod::Runtime rt(o);
  std::atomic<int> builds{0};
  rt.on_reload([&](const hotmod::ReloadStats& s) {
    if (s.stages.build.count() > 0) ++builds;
  });
  hotmod::Module m = load(rt);
  write_text(src() / "counter.cpp", "// v2\n");
  ASSERT_TRUE(wait_until([&] { return call_int(m, "version") == 2; })) << logs_->dump();
  ASSERT_TRUE(rt.sync()) << logs_->dump();
  EXPECT_EQ(builds.load(), 1) << logs_->dump();
}

TEST_F(AutoReloadTest, ACallbackThatThrowsDoesNotStopAutoReload) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(dev_options());
  rt.on_reload([](const hotmod::ReloadStats&) { throw std::runtime_error("callback bug"); });
  hotmod::Module m = load(rt);
  install(fixtures::counter_v2);
  ASSERT_TRUE(wait_until([&] { return call_int(m, "version") == 2; })) << logs_->dump();
  EXPECT_TRUE(wait_until(
      [&] { return logs_->contains(hotmod::LogLevel::error, {"on_reload callback threw"}); }));
  install(fixtures::counter_v1);
  EXPECT_TRUE(wait_until([&] { return call_int(m, "version") == 1; })) << "still watching";
}

TEST_F(AutoReloadTest, ACallbackMayTurnDevModeOffAndAskWhatIsWatched) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(dev_options());
  std::atomic<bool> switched{false};
  rt.on_reload([&](const hotmod::ReloadStats& s) {
    if (s.first_load) return;
    (void)rt.watching();
    rt.set_dev_mode(false);  // from the watcher's own worker thread
    switched = true;
  });
  hotmod::Module m = load(rt);
  install(fixtures::counter_v2);
  ASSERT_TRUE(wait_until([&] { return switched.load(); })) << logs_->dump();
  EXPECT_FALSE(rt.watching().has_value());
  EXPECT_FALSE(rt.dev_mode());
}

TEST_F(AutoReloadTest, ModuleConfigFromTheProjectFileReachesOnLoad) {
  install(fixtures::counter_v1);
  write_text(tmp_.path() / "hotmod.json", R"({
    // the counter's own section
    "module_paths": ["modules"],
    "modules": {"counter": {"config": {"greeting": "hi", "limit": 3}}}
  })");
  hotmod::ConfigInputs in;
  in.cwd = tmp_.path();
  in.getenv = [](const char*) -> std::optional<std::string> { return std::nullopt; };
  auto config = hotmod::load_config(in);
  ASSERT_TRUE(config.ok()) << config.error().message;
  hotmod::RuntimeOptions o = config->options;
  o.versions_dir = versions();
  o.log_sink = logs_->sink();
  hotmod::Runtime rt(o);
  EventLog events(rt.bus());
  hotmod::Module m = load(rt);
  ASSERT_EQ(events.count("test.on_load"), 1u);
  EXPECT_EQ(events.payloads("test.on_load")[0]["config"],
            (hotmod::Value{{"greeting", "hi"}, {"limit", 3}}));
}

}  // namespace
}  // namespace hotmod_test
