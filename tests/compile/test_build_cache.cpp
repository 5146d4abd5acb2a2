// The build cache on real files: a stored build is found while its inputs
// hold what they held, an older one again when they go back, at most the
// recent few per recipe; a damaged record is a miss, never an error, and
// a build whose inputs were edited meanwhile is used once and not found.
#include "compile/build_cache.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <limits>

#include "files.hpp"
#include "temp_dir_common.hpp"

namespace hotmod::compile {
namespace {

namespace fs = std::filesystem;
using hotmod_test::read_file;
using hotmod_test::write_file;

constexpr std::int64_t kBuildStartedAfterEveryEdit = std::numeric_limits<std::int64_t>::max();

class BuildCacheTest : public ::testing::Test {
 protected:
  // Stores a build of `recipe` from the current inputs; returns its key.
  std::string store(const std::string& recipe, std::int64_t started = kBuildStartedAfterEveryEdit) {
    const fs::path built = dir_ / ("built-" + std::to_string(++builds_) + ".so");
    write_file(built, "image " + std::to_string(builds_));
    Result<CacheEntry> e = cache_.store(recipe, built, inputs_, started);
    EXPECT_TRUE(e.ok()) << e.error().message;
    if (!e.ok()) return {};
    EXPECT_TRUE(fs::exists(e->artifact));
    EXPECT_FALSE(fs::exists(built)) << "moved into the cache";
    return e->key;
  }
  std::string found(const std::string& recipe) const {
    std::optional<CacheEntry> e = cache_.lookup(recipe);
    return e ? e->key : std::string("(miss)");
  }
  void source(const std::string& text) const { write_file(dir_ / "m.cpp", text); }
  // Writes both inputs and stores a build of recipe "r"; returns its key.
  std::string store_first_build() {
    source("int a = 1;\n");
    write_file(dir_ / "m.hpp", "#pragma once\n");
    return store("r");
  }
  fs::path object(const std::string& key, const char* extension) const {
    return dir_ / "cache" / "v1" / "objects" / (key + extension);
  }

  hotmod_test::TempDir dir_{"hotmod-cache"};
  BuildCache cache_{dir_ / "cache"};
  std::vector<fs::path> inputs_ = {dir_ / "m.cpp", dir_ / "m.hpp"};
  int builds_ = 0;
};

TEST_F(BuildCacheTest, ABuildIsFoundWhileItsInputsHoldWhatTheyHeld) {
  source("int a = 1;\n");
  write_file(dir_ / "m.hpp", "#pragma once\n");
  EXPECT_EQ(found("r"), "(miss)");
  const std::string first = store("r");
  ASSERT_FALSE(first.empty());
  std::optional<CacheEntry> hit = cache_.lookup("r");
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->key, first);
  EXPECT_EQ(hit->inputs, inputs_);
  EXPECT_EQ(found("another recipe"), "(miss)");

  write_file(dir_ / "m.hpp", "#pragma once\nint b;\n");
  EXPECT_EQ(found("r"), "(miss)") << "a header changed";
  const std::string second = store("r");
  EXPECT_NE(second, first);
  EXPECT_EQ(found("r"), second);
  write_file(dir_ / "m.hpp", "#pragma once\n");
  EXPECT_EQ(found("r"), first) << "back to the first state: its build again";
}

TEST_F(BuildCacheTest, OnlyTheRecentBuildsOfARecipeAreRemembered) {
  write_file(dir_ / "m.hpp", "#pragma once\n");
  std::vector<std::string> keys;
  const auto long_ago = fs::file_time_type::clock::now() - std::chrono::hours(1);
  for (int i = 0; i < 9; ++i) {
    source("int a = " + std::to_string(i) + ";\n");
    // Each its own time: all the same size, written within a clock tick,
    // they could otherwise look alike by size and time.
    fs::last_write_time(dir_ / "m.cpp", long_ago + std::chrono::seconds(i));
    keys.push_back(store("r"));
  }
  source("int a = 1;\n");
  EXPECT_EQ(found("r"), keys[1]) << "the eighth most recent";
  source("int a = 0;\n");
  EXPECT_EQ(found("r"), "(miss)") << "the ninth is forgotten";
}

TEST_F(BuildCacheTest, ADamagedRecordIsAMissAndTheNextBuildRepairsIt) {
  const std::string key = store_first_build();
  const fs::path record = object(key, ".inputs");
  ASSERT_TRUE(fs::exists(record));
  write_file(record, "hotmod inputs 3\nbuild " + key + " 2\n");  // cut short
  EXPECT_EQ(found("r"), "(miss)");
  EXPECT_EQ(store("r"), key) << "the same inputs, the same key";
  EXPECT_EQ(found("r"), key);

  const fs::path manifest = dir_ / "cache" / "v1" / "manifests" / "r.builds";
  ASSERT_TRUE(fs::exists(manifest));
  write_file(manifest, "{\"builds\": []}\n");  // an older version's manifest
  EXPECT_EQ(found("r"), "(miss)");
  store("r");
  EXPECT_EQ(found("r"), key);

  write_file(record, "hotmod inputs 3\nbuild " + key + " 0\n");
  EXPECT_EQ(found("r"), "(miss)") << "a record of no inputs matches nothing";
  store("r");
  EXPECT_EQ(found("r"), key);

  fs::remove(object(key, ".so"));
  EXPECT_EQ(found("r"), "(miss)") << "a record without its image";
}

TEST_F(BuildCacheTest, AStoredBuildIsReadOnlyAndNeverReplaced) {
  const std::string key = store_first_build();
  const fs::path artifact = object(key, ".so");
  EXPECT_EQ(fs::status(artifact).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
  const auto inode = [](const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_ino;
  };
  const ino_t first = inode(artifact);
  EXPECT_EQ(store("r"), key) << "built again from the same inputs";
  EXPECT_EQ(inode(artifact), first) << "the file a module may run from stays";
}

// Each object's SHA-256 is recorded when it is stored: a changed or damaged
// object is never returned, the lookup says why, and the next build of the
// same inputs replaces it.
TEST_F(BuildCacheTest, AChangedObjectIsNotReturnedAndTheNextBuildReplacesIt) {
  const std::string key = store_first_build();
  const fs::path artifact = object(key, ".so");
  EXPECT_EQ(read_file(object(key, ".sha256")).size(), 65u) << "64 hex digits and a newline";

  fs::permissions(artifact, fs::perms::owner_write, fs::perm_options::add);
  write_file(artifact, "image 1, with something added");
  std::string damaged;
  EXPECT_FALSE(cache_.lookup("r", ".so", &damaged).has_value());
  EXPECT_NE(damaged.find("'" + artifact.string() +
                         "' does not have the SHA-256 recorded when it was stored"),
            std::string::npos)
      << damaged;
  EXPECT_EQ(store("r"), key);
  EXPECT_EQ(found("r"), key) << "replaced by the new build";
  EXPECT_EQ(read_file(artifact), "image 2");

  fs::remove(object(key, ".sha256"));  // stored by an older hotmod
  damaged.clear();
  EXPECT_FALSE(cache_.lookup("r", ".so", &damaged).has_value());
  EXPECT_NE(damaged.find("has no SHA-256 recorded"), std::string::npos) << damaged;
}

// Two processes storing builds of one recipe at the same moment: each
// reads the manifest the other wrote, so neither build is forgotten.
TEST_F(BuildCacheTest, ProcessesStoringAtOnceKeepEachOthersBuilds) {
  for (int round = 0; round < 20; ++round) {
    const std::string recipe = "race-" + std::to_string(round);
    int go[2];
    ASSERT_EQ(::pipe(go), 0);
    std::vector<pid_t> children;
    for (int who = 0; who < 2; ++who) {
      const pid_t pid = ::fork();
      if (pid == 0) {
        ::close(go[1]);
        // Each its own inputs: two keys.
        const fs::path input = dir_ / ("in-" + std::to_string(round) + "-" + std::to_string(who));
        write_file(input, "input of " + std::to_string(who));
        const fs::path built = dir_ / ("b-" + std::to_string(round) + "-" + std::to_string(who));
        write_file(built, "image of " + std::to_string(who));
        char c;
        if (::read(go[0], &c, 1) != 0) ::_exit(2);  // released together
        BuildCache cache(dir_ / "cache");
        ::_exit(cache.store(recipe, built, {input}, kBuildStartedAfterEveryEdit).ok() ? 0 : 1);
      }
      children.push_back(pid);
    }
    ::close(go[0]);
    ::close(go[1]);
    for (pid_t pid : children) {
      int status = 0;
      ASSERT_EQ(::waitpid(pid, &status, 0), pid);
      ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    const std::string manifest =
        read_file(dir_ / "cache" / "v1" / "manifests" / (recipe + ".builds"));
    EXPECT_EQ(std::count(manifest.begin(), manifest.end(), '\n'), 3) << manifest;
  }
}

// A cache folder another user could write holds code this process would
// run: refused, naming the fix.
TEST_F(BuildCacheTest, ACacheFolderOthersMayWriteIsRefused) {
  EXPECT_EQ(cache_.folder_problem(), "");
  fs::permissions(dir_ / "cache", fs::perms(0777));
  EXPECT_NE(
      cache_.folder_problem().find("chmod go-w '" + fs::canonical(dir_ / "cache").string() + "'"),
      std::string::npos)
      << cache_.folder_problem();
  fs::permissions(dir_ / "cache", fs::perms(0700));
  store_first_build();
  fs::permissions(dir_ / "cache" / "v1" / "objects", fs::perms(0777));
  EXPECT_NE(cache_.folder_problem().find("'" + fs::canonical(dir_ / "cache/v1/objects").string() +
                                         "' can be written by anyone"),
            std::string::npos)
      << cache_.folder_problem();
  BuildCache fresh(dir_ / "new-cache");
  EXPECT_EQ(fresh.folder_problem(), "");
  EXPECT_EQ(fs::status(dir_ / "new-cache").permissions() & fs::perms::all, fs::perms::owner_all)
      << "made private";
}

TEST_F(BuildCacheTest, ABuildWhoseInputsWereEditedMeanwhileIsNotFoundAgain) {
  source("int a = 1;\n");
  write_file(dir_ / "m.hpp", "#pragma once\n");
  // The build started before the sources' last write: it may hold either.
  const std::string key = store("r", /*started=*/0);
  ASSERT_FALSE(key.empty()) << "stored for its one use";
  EXPECT_EQ(found("r"), "(miss)");
}

}  // namespace
}  // namespace hotmod::compile
