// Where a source module's build is opened from: the build cache's own file,
// with no versioned copy; a copy of its own only when that file is open in
// the process already (another runtime, or an earlier version still
// mapped), since dlopen would hand back that image, statics and all. The
// cache's files are never deleted by an unload or a rollback.
#include <fstream>
#include <set>
#include <string>

#include "source_support.hpp"

namespace hotmod_test {
namespace {

// The build cache's files this process has mapped.
std::set<fs::path> mapped_builds() {
  std::set<fs::path> out;
  std::ifstream maps("/proc/self/maps");
  // Resolved, as the kernel prints mapped files.
  const std::string objects =
      fs::weakly_canonical(HOTMOD_TEST_BUILD_CACHE).string() + "/v1/objects/";
  for (std::string line; std::getline(maps, line);)
    if (const std::size_t at = line.find(objects); at != std::string::npos)
      out.insert(line.substr(at));
  return out;
}

// The one build of the cache mapped now and not `before`.
fs::path new_build(const std::set<fs::path>& before) {
  std::set<fs::path> now = mapped_builds();
  for (const fs::path& p : before) now.erase(p);
  EXPECT_EQ(now.size(), 1u) << "one build mapped from the cache";
  return now.empty() ? fs::path() : *now.begin();
}

std::vector<fs::path> copies_under(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const fs::path& f : files_under(dir))
    if (f.extension() == ".so") out.push_back(f);
  return out;
}

// A module whose `bump()` counts its calls in a static of its image.
std::string counting_module(const std::string& name, int answer, const std::string& extra = "") {
  return module_text(name, answer,
                     "static int count = 0;\n"
                     "int bump() { return ++count; }\n"
                     "HOTMOD_EXPORT(bump, \"counts its calls\");\n" +
                         extra);
}

TEST_F(SourceTest, ABuildOpensWhereTheCacheKeepsItWithNoCopy) {
  write("modules/inplace.cpp", counting_module("inplace", 1));
  const std::set<fs::path> before = mapped_builds();
  fs::path first;
  {
    hotmod::Runtime rt(dev_options(false));
    ASSERT_EQ(answer(rt, "inplace"), 1) << logs_->dump();
    first = new_build(before);
    ASSERT_FALSE(first.empty());
    EXPECT_EQ(copies_under(versions()), std::vector<fs::path>{}) << "and not copied";
    // The memory report counts the image where it is mapped from.
    for (const hotmod::ModuleMemory& m : rt.memory_report().modules) {
      if (m.name != "inplace") continue;
      EXPECT_GT(m.image_bytes, 0u);
    }

    write("modules/inplace.cpp", counting_module("inplace", 2));
    ASSERT_TRUE(rt.reload("inplace").success) << logs_->dump();
    EXPECT_EQ(answer(rt, "inplace"), 2);
    std::set<fs::path> seen = before;
    seen.insert(first);
    EXPECT_FALSE(new_build(seen).empty()) << "the second build is mapped from the cache too";
    // The first build's file stays (for a later revert to it), whether or
    // not its image is still kept mapped for code that may point into it.
    EXPECT_TRUE(fs::exists(first));
  }
  EXPECT_TRUE(fs::exists(first)) << "the runtime's end deletes no build";
  EXPECT_EQ(copies_under(versions()), std::vector<fs::path>{});
}

TEST_F(SourceTest, TwoRuntimesOpeningOneBuildEachGetTheirOwnStatics) {
  write("modules/shared_build.cpp", counting_module("shared_build", 3));
  hotmod::Runtime one(dev_options(false));
  hotmod::Module a = load(one, "shared_build");
  EXPECT_EQ(call_int(a, "bump"), 1);
  EXPECT_EQ(call_int(a, "bump"), 2);
  {
    hotmod::Runtime two(dev_options(false));
    hotmod::Module b = load(two, "shared_build");
    EXPECT_EQ(call_int(b, "bump"), 1) << "a second image, not the first one's statics";
    EXPECT_EQ(call_int(a, "bump"), 3);
    EXPECT_EQ(copies_under(versions()).size(), 1u) << "the second opens a copy of its own";
  }
  EXPECT_EQ(copies_under(versions()), std::vector<fs::path>{}) << "deleted once unloaded";
  EXPECT_EQ(call_int(a, "bump"), 4);
}

TEST_F(SourceTest, ACrashedBuildRollsBackAndTheCacheKeepsBoth) {
  write("modules/falls.cpp", module_text("falls", 1));
  hotmod::Runtime rt(dev_options(false));
  EventLog events(rt.bus());
  const std::set<fs::path> before = mapped_builds();
  hotmod::Module m = load(rt, "falls");
  const fs::path first = new_build(before);
  write("modules/falls.cpp",
        module_text("falls", 2,
                    "int crash() { *static_cast<volatile int*>(nullptr) = 1; return 0; }\n"
                    "HOTMOD_EXPORT(crash, \"writes through a null pointer\");\n"));
  ASSERT_TRUE(rt.reload("falls").success) << logs_->dump();
  ASSERT_EQ(call_int(m, "answer"), 2);
  std::set<fs::path> seen = before;
  seen.insert(first);
  const fs::path second = new_build(seen);

  hotmod::Result<hotmod::Value> crashed = m.call("crash");
  ASSERT_FALSE(crashed.ok());
  EXPECT_EQ(crashed.error().failure, hotmod::Failure::crashed) << crashed.error().message;
  ASSERT_TRUE(wait_until([&] { return call_int(m, "answer") == 1; })) << logs_->dump();
  EXPECT_EQ(events.count("module.crashed"), 1u);
  ASSERT_FALSE(first.empty());
  ASSERT_FALSE(second.empty());
  EXPECT_NE(first, second);
  EXPECT_TRUE(fs::exists(first)) << "rolled back to from a copy; the cache's file stays";
  EXPECT_TRUE(fs::exists(second)) << "the build that crashed stays too (quarantined by hash)";
}

// The cache records each build's SHA-256: production refuses a build that
// changed since it was stored, naming the command that builds it again;
// dev mode builds it again.
TEST_F(SourceTest, AChangedBuildInTheCacheIsRefusedInProductionAndBuiltAgainInDev) {
  write("modules/sealed.cpp", module_text("sealed", 1));
  const std::set<fs::path> before = mapped_builds();
  fs::path build;
  {
    hotmod::Runtime rt(dev_options(false));
    ASSERT_EQ(answer(rt, "sealed"), 1) << logs_->dump();
    build = new_build(before);
    ASSERT_FALSE(build.empty());
  }
  fs::permissions(build, fs::perms::owner_write, fs::perm_options::add);
  {
    std::ofstream tamper(build, std::ios::app);
    tamper << "appended";
  }
  {
    hotmod::RuntimeOptions production = dev_options(false);
    production.dev_mode = false;
    hotmod::Runtime rt(production);
    hotmod::Result<hotmod::Module> m = rt.module("sealed");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().failure, hotmod::Failure::untrusted);
    EXPECT_NE(m.error().message.find("does not have the SHA-256 recorded when it was stored"),
              std::string::npos)
        << m.error().message;
    EXPECT_NE(m.error().message.find("run `hotmod build sealed`"), std::string::npos)
        << m.error().message;
  }
  hotmod::Runtime dev(dev_options(false));
  EXPECT_EQ(answer(dev, "sealed"), 1) << logs_->dump();
  EXPECT_TRUE(logs_->contains(hotmod::LogLevel::warn, {"sealed", "building it again"}))
      << logs_->dump();
}

}  // namespace
}  // namespace hotmod_test
