// ReloadEngine<T>: a watched file, a build function, the last good artifact.
#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include <hotmod/reload_engine.hpp>

#include "support.hpp"

namespace hotmod_test {
namespace {

using namespace std::chrono_literals;

// The "artifact": a file's text, refused when it says "broken".
hotmod::Result<std::string> read_text(const fs::path& p) {
  std::ifstream in(p);
  if (!in)
    return hotmod::Error{hotmod::Stage::build, hotmod::Failure::build_failed,
                         "cannot read " + p.string()};
  std::stringstream ss;
  ss << in.rdbuf();
  if (ss.str().find("broken") != std::string::npos)
    return hotmod::Error{hotmod::Stage::build, hotmod::Failure::build_failed,
                         p.filename().string() + ":1: it says broken"};
  return ss.str();
}

hotmod::WatchOptions quick() {
  hotmod::WatchOptions w;
  w.debounce = 10ms;
  return w;
}

TEST(ReloadEngine, KeepsTheLastGoodArtifact) {
  TempDir tmp("hotmod-engine");
  const fs::path file = tmp / "shader.txt";
  write_text(file, "one");
  hotmod::ReloadEngine<std::string> engine(file, read_text, quick());
  EXPECT_EQ(engine.current(), nullptr) << "nothing is built before reload()";

  std::vector<hotmod::ReloadStats> seen;
  engine.on_reload([&](const hotmod::ReloadStats& s) { seen.push_back(s); });
  hotmod::ReloadStats first = engine.reload();
  ASSERT_TRUE(first.success) << first.error;
  EXPECT_TRUE(first.first_load);
  ASSERT_NE(engine.current(), nullptr);
  EXPECT_EQ(*engine.current(), "one");

  write_text(file, "broken");
  hotmod::ReloadStats failed = engine.reload();
  EXPECT_FALSE(failed.success);
  EXPECT_EQ(failed.stage, hotmod::Stage::build);
  EXPECT_EQ(failed.failure, hotmod::Failure::build_failed);
  EXPECT_NE(failed.error.find("it says broken"), std::string::npos) << failed.error;
  EXPECT_EQ(*engine.current(), "one") << "a failed build keeps the old artifact";

  ASSERT_EQ(seen.size(), 2u);
  EXPECT_TRUE(seen[0].success);
  EXPECT_FALSE(seen[1].success);
  EXPECT_EQ(engine.reload_count(), 1u);
}

TEST(ReloadEngine, ABuildFunctionThatThrowsIsAFailedBuild) {
  TempDir tmp("hotmod-engine");
  const fs::path file = tmp / "x.txt";
  write_text(file, "x");
  hotmod::ReloadEngine<int> engine(
      file, [](const fs::path&) -> hotmod::Result<int> { throw std::runtime_error("boom"); });
  hotmod::ReloadStats s = engine.reload();
  EXPECT_FALSE(s.success);
  EXPECT_NE(s.error.find("boom"), std::string::npos) << s.error;
  EXPECT_EQ(engine.current(), nullptr);
}

TEST(ReloadEngine, WatchAndReloadRebuildsOnSave) {
  TempDir tmp("hotmod-engine");
  const fs::path file = tmp / "config.txt";
  write_text(file, "v1");
  hotmod::ReloadEngine<std::string> engine(file, read_text, quick());
  std::atomic<int> failures{0};
  engine.on_reload([&](const hotmod::ReloadStats& s) { failures += s.success ? 0 : 1; });
  ASSERT_TRUE(engine.reload().success);
  ASSERT_TRUE(engine.start().ok());
  EXPECT_TRUE(engine.is_watching());
  std::thread loop([&] { EXPECT_TRUE(engine.watch_and_reload().ok()); });

  write_text(file, "v2");
  EXPECT_TRUE(wait_until([&] { return *engine.current() == "v2"; }));
  write_text(file, "broken");
  EXPECT_TRUE(wait_until([&] { return failures.load() == 1; }));
  EXPECT_EQ(*engine.current(), "v2") << "the failed build kept the last good one";
  write_text(file, "v3");
  EXPECT_TRUE(wait_until([&] { return *engine.current() == "v3"; }));

  engine.stop();
  loop.join();
  EXPECT_FALSE(engine.is_watching());
  EXPECT_EQ(engine.reload_count(), 3u) << "v1, v2, v3; the broken save built nothing";
}

TEST(ReloadEngine, WaitsForAndDrainsChanges) {
  TempDir tmp("hotmod-engine");
  const fs::path file = tmp / "a.txt";
  write_text(file, "a");
  hotmod::ReloadEngine<std::string> engine(file, read_text, quick());
  ASSERT_TRUE(engine.start().ok());
  EXPECT_FALSE(engine.wait_for_change(50ms).has_value()) << "nothing changed yet";
  write_text(file, "b");
  auto change = engine.wait_for_change(5s);
  ASSERT_TRUE(change.has_value());
  EXPECT_EQ(change->kind, hotmod::ChangeKind::modified);
  EXPECT_EQ(change->path.filename(), "a.txt");
  EXPECT_TRUE(engine.drain_events().empty());
  engine.stop();
  EXPECT_FALSE(engine.wait_for_change().has_value()) << "stopped: returns at once";
}

}  // namespace
}  // namespace hotmod_test
