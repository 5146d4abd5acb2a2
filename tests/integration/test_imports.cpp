// Modules importing modules: cycles refused (on one thread and across two),
// dependents told in order after a reload, the import graph in ModuleInfo,
// and reload_all reloading imports first.
//
// Every module here is the `importer` fixture under another name, importing
// what RuntimeOptions::module_config lists for it. The names are chosen so
// that name order is never the order expected.
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>

#include "support.hpp"

namespace hotmod_test {
namespace {

using Names = std::vector<std::string>;

class ImportsTest : public RuntimeTest {
 protected:
  // Installs the importer fixture as `name`, importing `imports`.
  void add(const std::string& name, Names imports, hotmod::Value extra = hotmod::Value::object()) {
    install(fixtures::importer, name + ".so");
    extra["imports"] = imports;
    config_[name] = extra;
  }
  hotmod::RuntimeOptions options() const {
    hotmod::RuntimeOptions o = RuntimeTest::options();
    o.module_config = config_;
    return o;
  }
  // core <- physics, audio <- app: app imports physics and audio, which
  // both import core.
  void diamond() {
    add("core", {});
    add("physics", {"core"});
    add("audio", {"core"});
    add("app", {"physics", "audio"});
  }

  std::map<std::string, hotmod::Value, std::less<>> config_;
};

// Which module's hook saw which dependency, in the order they ran.
Names notified(const EventLog& events) {
  Names out;
  for (const hotmod::Value& p : events.payloads("test.dependency_reloaded"))
    out.push_back(p.value("module", "") + ":" + p.value("dependency", ""));
  return out;
}

TEST_F(ImportsTest, CycleIsRefusedNamingEveryModuleInIt) {
  add("base", {});
  add("alpha", {"beta"});
  add("beta", {"gamma"});
  add("gamma", {"alpha"});
  hotmod::Runtime rt(options());
  hotmod::Module base = load(rt, "base");

  hotmod::Result<hotmod::Module> alpha = rt.module("alpha");
  ASSERT_FALSE(alpha.ok());
  const std::string& error = alpha.error().message;
  EXPECT_NE(error.find("module 'gamma' cannot import 'alpha': import cycle "
                       "gamma -> alpha -> beta -> gamma"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("move what they share into a module of its own"), std::string::npos)
      << error;

  EXPECT_EQ(call_int(base, "version"), 1) << "a loaded module keeps running";
  for (const char* name : {"alpha", "beta", "gamma"}) {
    std::optional<hotmod::ModuleInfo> info = rt.info(name);
    ASSERT_TRUE(info.has_value());
    EXPECT_FALSE(info->loaded) << name;
    EXPECT_EQ(info->imports, Names{}) << name << ": a failed import leaves no edge";
    EXPECT_EQ(info->dependents, Names{}) << name;
  }
}

TEST_F(ImportsTest, ModuleImportingItselfIsRefused) {
  add("loop", {"loop"});
  hotmod::Runtime rt(options());
  hotmod::Result<hotmod::Module> m = rt.module("loop");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("import cycle loop -> loop"), std::string::npos)
      << m.error().message;
}

TEST_F(ImportsTest, ModulesImportingEachOtherFromTwoThreadsDoNotDeadlock) {
  add("left", {"right"});
  add("right", {"left"});
  hotmod::Runtime rt(options());
  // Both on_loads start (each thread holding its module's lock) before
  // either imports the other: the case that used to deadlock.
  std::mutex mu;
  std::condition_variable cv;
  int started = 0;
  hotmod::Subscription meet =
      rt.bus().subscribe("test.importer.loading", [&](std::string_view, const hotmod::Value&) {
        std::unique_lock lock(mu);
        ++started;
        cv.notify_all();
        cv.wait_for(lock, std::chrono::seconds(10), [&] { return started >= 2; });
      });
  auto left = std::async(std::launch::async, [&] { return rt.module("left"); });
  auto right = std::async(std::launch::async, [&] { return rt.module("right"); });
  ASSERT_EQ(left.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  ASSERT_EQ(right.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  {
    std::lock_guard lock(mu);
    EXPECT_GE(started, 2) << "both on_loads ran at once";
  }

  std::vector<hotmod::Result<hotmod::Module>> results{left.get(), right.get()};
  int cycles = 0;
  for (const auto& r : results) {
    if (r.ok()) continue;
    if (r.error().message.find("import cycle left -> right -> left") != std::string::npos ||
        r.error().message.find("import cycle right -> left -> right") != std::string::npos)
      ++cycles;
  }
  EXPECT_GE(cycles, 1) << logs_->dump();
  EXPECT_FALSE(results[0].ok() && results[1].ok()) << "the cycle cannot load";
}

TEST_F(ImportsTest, DependentsAreToldInOrderEachOnce) {
  diamond();
  hotmod::Runtime rt(options());
  load(rt, "app");
  EventLog events(rt.bus());
  install(fixtures::importer_v2, "core.so");

  ASSERT_TRUE(rt.reload("core").success);
  // Nearest first, and app only after both modules it imports.
  EXPECT_EQ(notified(events), (Names{"audio:core", "physics:core", "app:core"}));
  std::vector<hotmod::Value> told = events.payloads("module.dependency_notified");
  ASSERT_EQ(told.size(), 3u);
  for (const hotmod::Value& p : told) {
    EXPECT_EQ(p.value("dependency", ""), "core");
    EXPECT_TRUE(p.value("success", false)) << p.dump();
  }
  EXPECT_TRUE(logs_->contains(hotmod::LogLevel::debug, {"told module 'app'", "'core'"}));

  events.clear();
  ASSERT_TRUE(rt.reload("physics").success);
  EXPECT_EQ(notified(events), Names{"app:physics"}) << "only modules importing physics";
}

TEST_F(ImportsTest, DependentsThatFailedToLoadAreNotTold) {
  add("core", {});
  add("physics", {"core"});
  add("broken", {"core"}, {{"fail_load", true}});
  hotmod::Runtime rt(options());
  load(rt, "physics");
  ASSERT_FALSE(rt.module("broken").ok());
  EXPECT_EQ(rt.info("core")->dependents, Names{"physics"});
  EventLog events(rt.bus());

  ASSERT_TRUE(rt.reload("core").success);
  EXPECT_EQ(notified(events), Names{"physics:core"});
}

TEST_F(ImportsTest, ThrowingHookIsLoggedAndTheOthersStillRun) {
  diamond();
  config_["audio"]["hook_throws"] = true;
  hotmod::Runtime rt(options());
  load(rt, "app");
  EventLog events(rt.bus());

  ASSERT_TRUE(rt.reload("core").success);
  EXPECT_EQ(notified(events), (Names{"audio:core", "physics:core", "app:core"}));
  EXPECT_TRUE(logs_->contains(hotmod::LogLevel::error,
                              {"module 'audio' on_dependency_reloaded('core') threw",
                               "audio cannot follow core (on purpose)", "reload 'audio'"}))
      << logs_->dump();
  std::vector<hotmod::Value> told = events.payloads("module.dependency_notified");
  ASSERT_EQ(told.size(), 3u);
  EXPECT_EQ(told[0].value("name", ""), "audio");
  EXPECT_FALSE(told[0].value("success", true));
  EXPECT_NE(told[0].value("error", "").find("on purpose"), std::string::npos);
  EXPECT_EQ(call_int(load(rt, "audio"), "version"), 1) << "audio keeps running";
}

TEST_F(ImportsTest, ModuleInfoListsImportsAndDependents) {
  diamond();
  hotmod::Runtime rt(options());
  load(rt, "app");
  EXPECT_EQ(rt.info("app")->imports, (Names{"audio", "physics"}));
  EXPECT_EQ(rt.info("app")->dependents, Names{});
  EXPECT_EQ(rt.info("physics")->imports, Names{"core"});
  EXPECT_EQ(rt.info("physics")->dependents, Names{"app"});
  EXPECT_EQ(rt.info("core")->imports, Names{});
  EXPECT_EQ(rt.info("core")->dependents, (Names{"audio", "physics"}));
  for (const hotmod::ModuleInfo& m : rt.modules()) {
    if (m.name == "audio") {
      EXPECT_EQ(m.imports, Names{"core"});
    }
  }
}

TEST_F(ImportsTest, ReloadAllReloadsImportsFirst) {
  diamond();
  hotmod::Runtime rt(options());
  load(rt, "app");
  std::vector<hotmod::ReloadStats> stats = rt.reload_all();
  Names order;
  for (const hotmod::ReloadStats& s : stats) {
    EXPECT_TRUE(s.success) << s.module << ": " << s.error;
    order.push_back(s.module);
  }
  EXPECT_EQ(order, (Names{"core", "audio", "physics", "app"}));
}

TEST_F(ImportsTest, VersionThatDropsAnImportIsNoLongerItsDependent) {
  add("core", {});
  add("app", {"core"});
  hotmod::Runtime rt(options());
  hotmod::Module app = load(rt, "app");
  EXPECT_EQ(rt.info("core")->dependents, Names{"app"});

  install(fixtures::importer_no_imports, "app.so");
  ASSERT_TRUE(rt.reload("app").success);
  EXPECT_EQ(call_int(app, "imports"), 0);
  EXPECT_EQ(rt.info("app")->imports, Names{});
  EXPECT_EQ(rt.info("core")->dependents, Names{});
  EventLog events(rt.bus());
  ASSERT_TRUE(rt.reload("core").success);
  EXPECT_EQ(notified(events), Names{});
}

TEST_F(ImportsTest, FailedReloadKeepsTheRunningVersionsImports) {
  add("core", {});
  add("app", {"core"});
  hotmod::Runtime rt(options());
  hotmod::Module app = load(rt, "app");

  install(fixtures::importer_no_imports_onload_throws, "app.so");
  EXPECT_FALSE(rt.reload("app").success);
  EXPECT_EQ(call_int(app, "version"), 1);
  EXPECT_EQ(rt.info("app")->imports, Names{"core"});
  EventLog events(rt.bus());
  ASSERT_TRUE(rt.reload("core").success);
  EXPECT_EQ(notified(events), Names{"app:core"});
}

}  // namespace
}  // namespace hotmod_test
