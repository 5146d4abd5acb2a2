// Source modules in dev mode with the watcher: saving a source or a header
// (at once, not after the debounce) rebuilds exactly the modules built from
// it, a compile error keeps the running version, and an edit during a
// compile starts it again.
#include <sys/stat.h>

#include <fstream>
#include <future>
#include <thread>

#include "source_support.hpp"

namespace hotmod_test {
namespace {

using namespace std::chrono_literals;

int answer_of(hotmod::Runtime& rt, std::string_view name) {
  hotmod::Result<hotmod::Module> m = rt.module(name);
  if (!m.ok()) return -1;
  hotmod::Result<int> v = m.value().call_as<int>("answer");
  return v.ok() ? v.value() : -1;
}

std::uint64_t reloads_of(hotmod::Runtime& rt, std::string_view name) {
  std::optional<hotmod::ModuleInfo> info = rt.info(name);
  return info ? info->reload_count : 0;
}

TEST_F(SourceTest, SavingACompileErrorKeepsTheOldVersionAndTheFixReloads) {
  write("modules/live.cpp", module_text("live", 1));
  hotmod::Runtime rt(dev_options());
  EventLog events(rt.bus());
  ASSERT_EQ(answer_of(rt, "live"), 1) << logs_->dump();
  ASSERT_TRUE(rt.watching().has_value());

  write("modules/live.cpp", module_text("live", 2, "int oops() { return }\n"));
  ASSERT_TRUE(wait_until([&] { return events.count("module.reload_failed") == 1; }))
      << logs_->dump();
  hotmod::Value failed = events.payloads("module.reload_failed").front();
  EXPECT_EQ(failed["stage"], "build");
  EXPECT_NE(failed["diagnostics"].get<std::string>().find("live.cpp:5:"), std::string::npos)
      << failed.dump();
  EXPECT_EQ(answer_of(rt, "live"), 1) << "the old version keeps running";

  write("modules/live.cpp", module_text("live", 3));
  ASSERT_TRUE(wait_until([&] { return answer_of(rt, "live") == 3; })) << logs_->dump();
  ASSERT_TRUE(rt.sync()) << logs_->dump();
  EXPECT_EQ(events.count("module.reloaded"), 1u);
}

TEST_F(SourceTest, ASavedSourceOrHeaderIsBuiltAtOnceWithoutWaitingForTheDebounce) {
  auto text = [](int answer) {
    return "#include \"value.hpp\"\n" + module_text("prompt", answer) +
           "int total() { return value(); }\n"
           "HOTMOD_EXPORT(total, \"the header's value\");\n";
  };
  write("modules/value.hpp", "inline int value() { return 10; }\n");
  write("modules/prompt.cpp", text(1));
  hotmod::RuntimeOptions o = dev_options();
  o.debounce = std::chrono::minutes(10);  // never reached by this test
  hotmod::Runtime rt(o);
  auto total = [&] {
    hotmod::Result<int> v = rt.module("prompt").value().call_as<int>("total");
    return v.ok() ? v.value() : -1;
  };
  ASSERT_EQ(answer_of(rt, "prompt"), 1) << logs_->dump();
  ASSERT_TRUE(rt.watching().has_value());
  // An editor's atomic save: the new text renamed into place.
  write("modules/prompt.cpp", text(2));
  ASSERT_TRUE(wait_until([&] { return answer_of(rt, "prompt") == 2; }, 2min)) << logs_->dump();
  // An editor writing in place: complete once it closes the file.
  {
    std::ofstream in_place(tmp_.path() / "modules" / "prompt.cpp", std::ios::trunc);
    in_place << text(3);
  }
  ASSERT_TRUE(wait_until([&] { return answer_of(rt, "prompt") == 3; }, 2min)) << logs_->dump();
  // A header the module includes.
  write("modules/value.hpp", "inline int value() { return 20; }\n");
  ASSERT_TRUE(wait_until([&] { return total() == 20; }, 2min)) << logs_->dump();
}

TEST_F(SourceTest, AHeaderEditReloadsExactlyTheModulesIncludingIt) {
  // One header outside the module paths (a project include dir), one inside.
  write("include/shared.hpp", "inline int shared_value() { return 10; }\n");
  write("modules/local.hpp", "inline int local_value() { return 100; }\n");
  const std::string uses_shared = "#include <shared.hpp>\n";
  write("modules/a.cpp", uses_shared + module_text("a", 0) +
                             "int total() { return shared_value() + 1; }\n"
                             "HOTMOD_EXPORT(total, \"shared + 1\");\n");
  write("modules/b.cpp", uses_shared + "#include \"local.hpp\"\n" + module_text("b", 0) +
                             "int total() { return shared_value() + local_value(); }\n"
                             "HOTMOD_EXPORT(total, \"shared + local\");\n");
  write("modules/c.cpp", module_text("c", 0));
  hotmod::RuntimeOptions o = dev_options();
  o.cxx.include_dirs = {"include"};
  hotmod::Runtime rt(o);
  auto total = [&](std::string_view name) {
    hotmod::Result<int> v = rt.module(name).value().call_as<int>("total");
    return v.ok() ? v.value() : -1;
  };
  ASSERT_EQ(total("a"), 11) << logs_->dump();
  ASSERT_EQ(total("b"), 110) << logs_->dump();
  ASSERT_EQ(answer_of(rt, "c"), 0);
  ASSERT_TRUE(rt.sync()) << logs_->dump();  // the watcher follows the include folder builds found

  write("include/shared.hpp", "inline int shared_value() { return 20; }\n");
  ASSERT_TRUE(wait_until([&] { return total("a") == 21 && total("b") == 120; })) << logs_->dump();
  ASSERT_TRUE(rt.sync()) << logs_->dump();
  EXPECT_EQ(reloads_of(rt, "a"), 1u);
  EXPECT_EQ(reloads_of(rt, "b"), 1u);
  EXPECT_EQ(reloads_of(rt, "c"), 0u) << "c does not include shared.hpp";

  write("modules/local.hpp", "inline int local_value() { return 200; }\n");
  ASSERT_TRUE(wait_until([&] { return total("b") == 220; })) << logs_->dump();
  ASSERT_TRUE(rt.sync()) << logs_->dump();
  EXPECT_EQ(reloads_of(rt, "a"), 1u) << "a does not include local.hpp";
  EXPECT_EQ(reloads_of(rt, "b"), 2u);
  EXPECT_EQ(reloads_of(rt, "c"), 0u);
}

TEST_F(SourceTest, FixingTheNewHeaderAFailedCompileNamedReloads) {
  // The last good build never included extra.hpp; the failed one did, and
  // its error is there: saving the fix there must be enough.
  write("modules/grow.cpp", module_text("grow", 1));
  hotmod::Runtime rt(dev_options());
  EventLog events(rt.bus());
  ASSERT_EQ(answer_of(rt, "grow"), 1) << logs_->dump();
  write("modules/extra.hpp", "inline int extra() { return 1 }\n");
  write("modules/grow.cpp", "#include \"extra.hpp\"\n" + module_text("grow", 2));
  ASSERT_TRUE(wait_until([&] { return events.count("module.reload_failed") >= 1; }))
      << logs_->dump();
  write("modules/extra.hpp", "inline int extra() { return 1; }\n");
  ASSERT_TRUE(wait_until([&] { return answer_of(rt, "grow") == 2; })) << logs_->dump();
}

TEST_F(SourceTest, AnEditDuringACompileCancelsItAndStartsAgain) {
  // A launcher that makes every compile take a second, so the test can
  // edit while one runs.
  // It leaves a file behind when a compile starts.
  const fs::path started = tmp_.path() / "compiling";
  const fs::path slow = write(
      "bin/slow-launcher", "#!/bin/sh\ntouch '" + started.string() + "'\nsleep 1\nexec \"$@\"\n");
  ::chmod(slow.c_str(), 0755);
  write("modules/busy.cpp", module_text("busy", 1));
  hotmod::RuntimeOptions o = dev_options();
  o.cxx.launcher = slow.string();
  hotmod::Runtime rt(o);
  EventLog events(rt.bus());
  ASSERT_EQ(answer_of(rt, "busy"), 1) << logs_->dump();

  fs::remove(started);
  write("modules/busy.cpp", module_text("busy", 2));
  ASSERT_TRUE(wait_until([&] { return fs::exists(started); })) << logs_->dump();
  // Inside the launcher's second: this edit supersedes the compile running.
  write("modules/busy.cpp", module_text("busy", 3));
  ASSERT_TRUE(wait_until([&] { return answer_of(rt, "busy") == 3; })) << logs_->dump();
  ASSERT_TRUE(rt.sync()) << logs_->dump();
  EXPECT_TRUE(logs_->contains(hotmod::LogLevel::debug, {"'busy' stopped", "supersedes"}))
      << logs_->dump();
  EXPECT_EQ(events.count("module.reloaded"), 1u) << "version 2 never loaded";
  EXPECT_EQ(events.count("module.reload_failed"), 0u) << "a superseded compile is no failure";
}

TEST_F(SourceTest, InfoAndModulesAnswerWhileACompileRuns) {
  // A launcher that holds every compile until the file `go` exists, and
  // says when one started.
  const fs::path started = tmp_.path() / "compiling";
  const fs::path go = tmp_.path() / "go";
  const fs::path held =
      write("bin/held-launcher", "#!/bin/sh\ntouch '" + started.string() + "'\nwhile [ ! -e '" +
                                     go.string() + "' ]; do sleep 0.01; done\nexec \"$@\"\n");
  ::chmod(held.c_str(), 0755);
  write("go", "");
  write("modules/held.cpp", module_text("held", 1));
  hotmod::RuntimeOptions o = dev_options();
  o.cxx.launcher = held.string();
  hotmod::Runtime rt(o);
  ASSERT_EQ(answer_of(rt, "held"), 1) << logs_->dump();

  fs::remove(go);
  fs::remove(started);
  write("modules/held.cpp", module_text("held", 2));
  ASSERT_TRUE(wait_until([&] { return fs::exists(started); })) << logs_->dump();
  // The compile of version 2 holds the module's lock now; info() and
  // modules() do not need it.
  auto asked = std::async(std::launch::async, [&] {
    std::optional<hotmod::ModuleInfo> info = rt.info("held");
    std::vector<hotmod::ModuleInfo> all = rt.modules();
    return std::make_pair(info, all.size());
  });
  const bool answered = asked.wait_for(30s) == std::future_status::ready;
  write("go", "");  // whatever happened: lets the compile, and with it the test, finish
  ASSERT_TRUE(answered) << "info() or modules() waited for the compile";
  auto [info, count] = asked.get();
  ASSERT_TRUE(info.has_value());
  EXPECT_TRUE(info->loaded);
  EXPECT_EQ(info->version, "1.0.0");
  EXPECT_EQ(info->reload_count, 0u);
  EXPECT_EQ(count, 1u);
  // Calls reach version 2 as soon as it is published, before its on_load
  // has run; the reload counts once it is committed.
  ASSERT_TRUE(wait_until([&] { return rt.info("held")->reload_count == 1; })) << logs_->dump();
  EXPECT_EQ(answer_of(rt, "held"), 2);
}

TEST_F(SourceTest, ANewFileInAMarkedFolderRebuildsItsModule) {
  write("modules/multi/hotmod.module", "");
  write("modules/multi/main.cpp",
        "#include <hotmod/module.hpp>\n"
        "HOTMOD_MODULE(\"multi\", \"1.0.0\", \"grows\");\n"
        "int extra();\n"
        "int answer() { return extra(); }\n"
        "HOTMOD_EXPORT(answer, \"from another file\");\n"
        "int extra() __attribute__((weak));\n"
        "int extra() { return 1; }\n");
  hotmod::Runtime rt(dev_options());
  ASSERT_EQ(answer_of(rt, "multi"), 1) << logs_->dump();
  write("modules/multi/more.cpp", "int twice(int x) { return 2 * x; }\n");
  ASSERT_TRUE(wait_until([&] { return reloads_of(rt, "multi") == 1; })) << logs_->dump();
}

}  // namespace
}  // namespace hotmod_test
