// compile/pch: processes sharing a build cache build a missing precompiled
// header once. A second build would rename its own file over the first,
// and every compile cached against the first (by ccache) would miss. And
// compile/leading_includes: which of a module's headers join it.
#include "compile/pch.hpp"

#include "compile/leading_includes.hpp"

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
      outcomes[i] = ensure_pch(*tc, flags, {}, cache.path(), nullptr);
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
  EXPECT_EQ(files, 4) << "the header, its PCH, its inputs and the lock";
}

TEST(LeadingIncludes, LibraryHeadersBeforeTheFirstLineOfCode) {
  const std::string text =
      "// a module\n"
      "#pragma once\n"
      "/* several\n"
      "   lines */\n"
      "#include <hotmod/module.hpp>\n"
      "#include <hotmod/value.hpp>\n"
      "#include <vector>  // trailing comment\n"
      "\n"
      "#  include   <nlohmann/json.hpp>\n"
      "#include <vector>\n"
      "#include <stdio.h>\n"
      "int x;\n"
      "#include <map>\n";
  EXPECT_EQ(
      leading_library_includes(text),
      (std::vector<std::string>{"hotmod/value.hpp", "vector", "nlohmann/json.hpp", "stdio.h"}))
      << "module.hpp is always in; each once; nothing after the first line of code";
}

TEST(LeadingIncludes, StopsWhereAHeaderCouldMeanSomethingElse) {
  EXPECT_EQ(leading_library_includes("#include <map>\n#include \"config.h\"\n#include <set>\n"),
            (std::vector<std::string>{"map"}))
      << "a project header may define what the next one reads";
  EXPECT_EQ(leading_library_includes("#define NDEBUG\n#include <cassert>\n"),
            (std::vector<std::string>{}));
  EXPECT_EQ(leading_library_includes("#include <map>\n#if X\n#include <set>\n#endif\n"),
            (std::vector<std::string>{"map"}));
  EXPECT_EQ(leading_library_includes("#include <map>\n#include <myproject/gen.hpp>\n"
                                     "#include <set>\n"),
            (std::vector<std::string>{"map"}))
      << "a header found through the project's -I folders is the project's";
  EXPECT_EQ(leading_library_includes("#include <../etc/passwd>\n"), (std::vector<std::string>{}));
  EXPECT_EQ(leading_library_includes("/* never closed\n#include <map>\n"),
            (std::vector<std::string>{}));
}

}  // namespace
}  // namespace hotmod::compile
