// refresh(): which files changed (never decided by whole-second mtimes),
// which modules appeared or vanished; reload_all() reports every module.
#include <algorithm>
#include <chrono>

#include "support.hpp"

namespace hotmod_test {
namespace {

class RefreshTest : public RuntimeTest {};

// refresh() leaves a file alone until it has been quiet for a moment (a
// linker writes its output in pieces), so a test refreshes until the change
// is picked up, collecting every report on the way.
hotmod::RefreshReport refresh_until_reloaded(hotmod::Runtime& rt, std::size_t want = 1) {
  hotmod::RefreshReport all;
  wait_until([&] {
    hotmod::RefreshReport r = rt.refresh();
    for (auto& s : r.reloaded) all.reloaded.push_back(std::move(s));
    for (auto& n : r.discovered) all.discovered.push_back(std::move(n));
    for (auto& n : r.vanished) all.vanished.push_back(std::move(n));
    return all.reloaded.size() >= want;
  });
  return all;
}

TEST_F(RefreshTest, TwoEditsInTheSameSecondAreBothPickedUp) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(options());
  hotmod::Module m = load(rt);
  EXPECT_TRUE(rt.refresh().reloaded.empty()) << "nothing changed yet";

  install_in_place(fixtures::counter_v2);
  hotmod::RefreshReport first = refresh_until_reloaded(rt);
  ASSERT_EQ(first.reloaded.size(), 1u);
  EXPECT_TRUE(first.reloaded[0].success) << first.reloaded[0].error;
  EXPECT_EQ(first.reloaded[0].module, "counter");
  EXPECT_EQ(call_int(m, "version"), 2);

  install_in_place(fixtures::counter_v1);  // at once: same second, same inode
  hotmod::RefreshReport second = refresh_until_reloaded(rt);
  ASSERT_EQ(second.reloaded.size(), 1u);
  EXPECT_TRUE(second.reloaded[0].success) << second.reloaded[0].error;
  EXPECT_EQ(call_int(m, "version"), 1);
  EXPECT_TRUE(rt.refresh().reloaded.empty());
}

TEST_F(RefreshTest, EditThatKeepsSizeAndMtimeIsPickedUp) {
  // What a file system with coarse timestamps shows after two quick writes:
  // same inode, same mtime; only the contents differ.
  // Both versions padded to one size (bytes after the section headers are
  // never read), so only the contents can tell them apart.
  const std::size_t size =
      std::max(file_size(fixtures::counter_v1), file_size(fixtures::counter_v2));
  const fs::path v1 = tmp_.path() / "v1.so", v2 = tmp_.path() / "v2.so";
  install_padded(fixtures::counter_v1, v1, size);
  install_padded(fixtures::counter_v2, v2, size);
  fs::path file = install(v1.c_str());
  hotmod::Runtime rt(options());
  hotmod::Module m = load(rt);
  const auto mtime = fs::last_write_time(file);

  install_in_place(v2.c_str());
  fs::last_write_time(file, mtime);
  ASSERT_EQ(hotmod_test::file_size(file), size);
  hotmod::RefreshReport report = refresh_until_reloaded(rt);
  ASSERT_EQ(report.reloaded.size(), 1u);
  EXPECT_EQ(call_int(m, "version"), 2);
}

TEST_F(RefreshTest, AtomicReplaceIsPickedUp) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(options());
  hotmod::Module m = load(rt);
  install(fixtures::counter_v2);  // rename over: new inode
  hotmod::RefreshReport report = refresh_until_reloaded(rt);
  ASSERT_EQ(report.reloaded.size(), 1u);
  EXPECT_TRUE(report.reloaded[0].success);
  EXPECT_EQ(call_int(m, "version"), 2);
}

TEST_F(RefreshTest, RefreshDoesNotLoadModulesNobodyUsed) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(options());
  fs::path file = install_in_place(fixtures::counter_v2);
  // Dated back, so the file counts as settled and only "not loaded" explains
  // why refresh() leaves it alone.
  fs::last_write_time(file, fs::file_time_type::clock::now() - std::chrono::seconds(10));
  hotmod::RefreshReport report = rt.refresh();
  EXPECT_TRUE(report.reloaded.empty());
  EXPECT_FALSE(rt.info("counter")->loaded);
  EXPECT_TRUE(mapped_under(tmp_.path()).empty());
  EXPECT_EQ(call_int(load(rt), "version"), 2) << "first use loads the file as it is now";
}

TEST_F(RefreshTest, ReportsDiscoveredAndVanishedModules) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(options());
  EventLog events(rt.bus());
  hotmod::Module m = load(rt);

  install(fixtures::nested, "tools/math.so");
  hotmod::RefreshReport found = rt.refresh();
  EXPECT_EQ(found.discovered, std::vector<std::string>{"tools.math"});
  EXPECT_TRUE(found.vanished.empty());
  EXPECT_TRUE(found.reloaded.empty());
  ASSERT_EQ(events.count("module.discovered"), 1u);
  EXPECT_EQ(events.payloads("module.discovered")[0].value("name", ""), "tools.math");
  EXPECT_EQ(events.payloads("module.discovered")[0].value("path", ""),
            (modules() / "tools/math.so").string())
      << "events.hpp: module.discovered {name, path}";
  EXPECT_TRUE(rt.info("tools.math").has_value());
  EXPECT_FALSE(rt.info("tools.math")->loaded) << "discovered, not loaded";

  fs::remove(modules() / "tools/math.so");
  fs::remove(modules() / "counter.so");
  hotmod::RefreshReport gone = rt.refresh();
  std::vector<std::string> vanished = gone.vanished;
  std::sort(vanished.begin(), vanished.end());
  EXPECT_EQ(vanished, (std::vector<std::string>{"counter", "tools.math"}));
  EXPECT_TRUE(gone.reloaded.empty());
  auto vanished_events = events.payloads("module.vanished");
  ASSERT_EQ(vanished_events.size(), 2u);
  for (const auto& e : vanished_events) {
    const std::string name = e.value("name", "");
    EXPECT_EQ(e.value("path", ""),
              (modules() / (name == "counter" ? "counter.so" : "tools/math.so")).string())
        << "events.hpp: module.vanished {name, path}";
  }
  EXPECT_FALSE(rt.info("tools.math").has_value());
  EXPECT_EQ(call_int(m, "version"), 1) << "a vanished module keeps running";
}

TEST_F(RefreshTest, ChangesSeenByALookupAreStillReported) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(options());
  EventLog events(rt.bus());

  // A lookup of an unknown name rescans the module paths too; what it finds
  // is still news to the host, which learns about it from refresh().
  install(fixtures::nested, "tools/math.so");
  EXPECT_FALSE(rt.module("no.such.module").ok());
  hotmod::RefreshReport found = rt.refresh();
  EXPECT_EQ(found.discovered, std::vector<std::string>{"tools.math"});
  EXPECT_EQ(events.count("module.discovered"), 1u);

  fs::remove(modules() / "counter.so");  // never loaded
  EXPECT_FALSE(rt.module("no.such.module").ok());
  hotmod::RefreshReport gone = rt.refresh();
  EXPECT_EQ(gone.vanished, std::vector<std::string>{"counter"});
  EXPECT_EQ(events.count("module.vanished"), 1u);
}

TEST_F(RefreshTest, FailedReloadIsReportedAndTheOldVersionKeepsRunning) {
  install(fixtures::counter_v1);
  install(fixtures::nested, "tools/math.so");
  hotmod::Runtime rt(options());
  hotmod::Module m = load(rt);
  hotmod::Module math = load(rt, "tools.math");

  install(fixtures::not_so);
  install(fixtures::nested, "tools/math.so");  // rewritten: a change too
  hotmod::RefreshReport report = refresh_until_reloaded(rt, 2);
  ASSERT_EQ(report.reloaded.size(), 2u) << "every changed module is reported";
  for (const auto& s : report.reloaded) {
    if (s.module == "counter") {
      EXPECT_FALSE(s.success);
      EXPECT_EQ(s.failure, hotmod::Failure::not_shared_object);
    } else {
      EXPECT_EQ(s.module, "tools.math");
      EXPECT_TRUE(s.success) << s.error;
    }
  }
  EXPECT_EQ(call_int(m, "version"), 1);
}

TEST_F(RefreshTest, ReloadAllReportsEveryLoadedModule) {
  install(fixtures::counter_v1);
  install(fixtures::nested, "tools/math.so");
  install(fixtures::sticky, "sticky.so");  // never used: not reloaded
  hotmod::RuntimeOptions opts = options();
  opts.capabilities = {"net:listen"};  // what counter_caps needs
  hotmod::Runtime rt(opts);
  hotmod::Module m = load(rt);
  hotmod::Module math = load(rt, "tools.math");

  install(fixtures::counter_caps);
  std::vector<hotmod::ReloadStats> all = rt.reload_all();
  ASSERT_EQ(all.size(), 2u);
  std::sort(all.begin(), all.end(),
            [](const auto& a, const auto& b) { return a.module < b.module; });
  EXPECT_EQ(all[0].module, "counter");
  EXPECT_TRUE(all[0].success) << all[0].error;
  EXPECT_EQ(all[0].version, "2.0.0-caps");
  EXPECT_EQ(all[1].module, "tools.math");
  EXPECT_TRUE(all[1].success) << all[1].error;
  EXPECT_EQ(rt.info("tools.math")->reload_count, 1u);
  EXPECT_FALSE(rt.info("sticky")->loaded);
}

}  // namespace
}  // namespace hotmod_test
