// The record of a build's inputs (the build cache's manifests, a PCH's
// inputs): written and read back, refused when malformed, and checked
// against files that change, are touched, or were edited during the build.
#include "compile/input_record.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <limits>

#include "files.hpp"
#include "temp_dir_common.hpp"

namespace hotmod::compile {
namespace {

namespace fs = std::filesystem;
using hotmod_test::write_file;

constexpr std::int64_t kLongAfter = std::numeric_limits<std::int64_t>::max();

std::vector<RecordedBuild> round_trip(const std::vector<RecordedBuild>& builds) {
  std::optional<std::vector<RecordedBuild>> back = parse_builds(format_builds(builds));
  EXPECT_TRUE(back.has_value()) << format_builds(builds);
  return back.value_or(std::vector<RecordedBuild>{});
}

TEST(InputRecord, BuildsReadBackAsWritten) {
  hotmod_test::TempDir dir("hotmod-inputs");
  write_file(dir / "a.cpp", "int a;\n");
  write_file(dir / "with space.hpp", "#pragma once\n");
  const std::vector<RecordedBuild> builds = {
      {"key1", record_inputs({dir / "a.cpp", dir / "with space.hpp"}, kLongAfter)},
      {"key0", record_inputs({dir / "a.cpp"}, kLongAfter)}};
  ASSERT_TRUE(complete(builds[0].inputs));
  const std::vector<RecordedBuild> back = round_trip(builds);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].key, "key1");
  EXPECT_EQ(back[1].key, "key0");
  ASSERT_EQ(back[0].inputs.size(), 2u);
  EXPECT_EQ(back[0].inputs[1].path, (dir / "with space.hpp").string());
  EXPECT_EQ(back[0].inputs[1].hash, builds[0].inputs[1].hash);
  EXPECT_EQ(back[0].inputs[1].size, 13);
  EXPECT_EQ(back[0].inputs[1].mtime_ns, builds[0].inputs[1].mtime_ns);
  EXPECT_EQ(paths_of(back[1].inputs), (std::vector<fs::path>{dir / "a.cpp"}));
  EXPECT_TRUE(InputChecker().all_match(back[0].inputs));
}

TEST(InputRecord, NoBuildsIsAValidRecord) {
  EXPECT_TRUE(round_trip({}).empty());
}

TEST(InputRecord, MalformedTextsHoldNoBuilds) {
  const std::string good = "hotmod inputs 3\nbuild k 1\n0123abcd 5 17 19 /src/a.cpp\n";
  ASSERT_TRUE(parse_builds(good).has_value());
  for (const std::string& bad : {
           std::string(),
           std::string("{\"builds\": []}\n"),  // the JSON of version 1
           std::string("hotmod inputs 4\n"),   // a newer version
           std::string("hotmod inputs 2\nbuild k 1\n0123abcd 5 17 /src/a.cpp\n"),  // older
           good.substr(0, good.size() - 1),  // the last line cut short
           std::string("hotmod inputs 3\nbuild k 2\n0123abcd 5 17 19 /src/a.cpp\n"),  // too few
           std::string("hotmod inputs 3\nbuild k 1\n0123abcd five 17 19 /src/a.cpp\n"),
           std::string("hotmod inputs 3\nbuild k 1\n0123abcd 5 17 19\n"),          // no path
           std::string("hotmod inputs 3\nbuild k 1\n0123abcd 5 17 /src/a.cpp\n"),  // no ctime
           std::string("hotmod inputs 3\nbuild k x\n"),
           std::string("hotmod inputs 3\nbuild  1\n0123abcd 5 17 19 /src/a.cpp\n"),  // no key
           std::string("hotmod inputs 3\nstray line\n"),
       })
    EXPECT_FALSE(parse_builds(bad).has_value()) << bad;
}

TEST(InputRecord, AChangedFileNoLongerMatchesATouchedOneStillDoes) {
  hotmod_test::TempDir dir("hotmod-inputs");
  write_file(dir / "same.hpp", "int same;\n");
  write_file(dir / "edited.hpp", "int a = 1;\n");
  const std::vector<InputRecord> recorded =
      record_inputs({dir / "same.hpp", dir / "edited.hpp"}, kLongAfter);
  const auto later = fs::file_time_type::clock::now() + std::chrono::seconds(5);
  // Touched: its size and mtime differ from the record, its contents do not.
  fs::last_write_time(dir / "same.hpp", later);
  EXPECT_TRUE(InputChecker().matches(recorded[0]));
  // Edited to the same size: only the hash tells.
  write_file(dir / "edited.hpp", "int a = 2;\n");
  fs::last_write_time(dir / "edited.hpp", later);
  EXPECT_FALSE(InputChecker().matches(recorded[1]));
  EXPECT_FALSE(InputChecker().all_match(recorded));
  fs::remove(dir / "same.hpp");
  EXPECT_FALSE(InputChecker().matches(recorded[0])) << "a deleted input";
}

TEST(InputRecord, AnInputEditedDuringTheBuildIsUnknownAndNeverMatches) {
  hotmod_test::TempDir dir("hotmod-inputs");
  write_file(dir / "a.cpp", "int a;\n");
  // The build started before the file's last write.
  const std::vector<InputRecord> recorded = record_inputs({dir / "a.cpp", dir / "gone.hpp"}, 0);
  EXPECT_FALSE(complete(recorded));
  EXPECT_TRUE(recorded[0].hash.empty());
  EXPECT_TRUE(recorded[1].hash.empty()) << "a missing input is unknown too";
  EXPECT_FALSE(InputChecker().matches(recorded[0]));
  const std::vector<RecordedBuild> back = round_trip({{"k", recorded}});
  ASSERT_EQ(back.size(), 1u);
  EXPECT_FALSE(InputChecker().all_match(back[0].inputs));
}

TEST(InputRecord, APathWithANewlineIsRecordedAsUnknown) {
  hotmod_test::TempDir dir("hotmod-inputs");
  const fs::path odd = dir / "odd\nname.hpp";
  write_file(odd, "int odd;\n");
  const std::vector<InputRecord> recorded = record_inputs({odd}, kLongAfter);
  EXPECT_FALSE(complete(recorded));
  const std::vector<RecordedBuild> back = round_trip({{"k", recorded}});
  ASSERT_EQ(back.size(), 1u);
  ASSERT_EQ(back[0].inputs.size(), 1u);
  EXPECT_FALSE(InputChecker().all_match(back[0].inputs));
}

}  // namespace
}  // namespace hotmod::compile
