// compile/pch: processes sharing a build cache build a missing precompiled
// header once. A second build would rename its own file over the first,
// and every compile cached against the first (by ccache) would miss.
#include "compile/pch.hpp"

#include <atomic>
#include <latch>
#include <thread>

#include <gtest/gtest.h>

#include "temp_dir_common.hpp"

namespace hotmod::compile {
namespace {

namespace fs = std::filesystem;

TEST(Pch, BuildersStartingTogetherBuildItOnceAndShareIt) {
  hotmod_test::TempDir cache("hotmod-pch");
  Result<Toolchain> tc = find_toolchain(RuntimeOptions::Cxx{});
  ASSERT_TRUE(tc.ok()) << tc.error().message;
  const std::vector<std::string> flags = {"-std=c++20", "-fPIC", "-I" HOTMOD_TEST_INCLUDE_DIR};

  constexpr int kBuilders = 3;
  std::latch start(kBuilders);
  std::vector<PchOutcome> outcomes(kBuilders);
  std::vector<std::thread> builders;
  for (int i = 0; i < kBuilders; ++i)
    builders.emplace_back([&, i] {
      start.arrive_and_wait();
      outcomes[i] = ensure_pch(*tc, flags, cache.path(), nullptr);
    });
  for (std::thread& t : builders) t.join();

  int built = 0;
  for (const PchOutcome& o : outcomes) {
    ASSERT_TRUE(o.ok) << o.error;
    built += o.built ? 1 : 0;
    EXPECT_EQ(o.pch.use_flags, outcomes[0].pch.use_flags);
    EXPECT_FALSE(o.pch.inputs.empty()) << "a PCH used without building it still names its inputs";
  }
  EXPECT_EQ(built, 1) << "the builders that waited must use the first one's PCH";

  // Nothing half-built is left beside it.
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(cache.path())) {
    if (!e.is_regular_file()) continue;
    ++files;
    EXPECT_EQ(e.path().string().find(".tmp"), std::string::npos) << e.path();
  }
  EXPECT_EQ(files, 4) << "the header, its PCH, inputs.json and the lock";
}

}  // namespace
}  // namespace hotmod::compile
