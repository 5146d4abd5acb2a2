// hotmod.json's `capabilities` (grants, to every module or to one),
// `performance.slow_ms` (when a load counts as slow) and `trace` (a Chrome
// trace of the session): values, origins, and errors with file, line and key.
#include <gtest/gtest.h>

#include "config_test_support.hpp"
#include "hotmod/config.hpp"
#include "temp_dir_common.hpp"

namespace hotmod {
namespace {

namespace fs = std::filesystem;
using hotmod_test::write_file;
using Strings = std::vector<std::string>;

class GrantsSection : public ::testing::Test {
 protected:
  Result<LoadedConfig> load(const std::string& text) {
    write_file(file(), text);
    return load_config(hotmod_test::inputs_in(dir_.path()));
  }
  fs::path file() const { return dir_ / "hotmod.json"; }
  std::string at(int line) const { return file().string() + ":" + std::to_string(line) + ": "; }

  hotmod_test::TempDir dir_{"hotmod-config"};
};

TEST_F(GrantsSection, AnArrayGrantsToEveryModule) {
  auto config = load("{\n\"capabilities\": [\"net:listen\", \"fs:read\"]\n}");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->options.capabilities, (Strings{"net:listen", "fs:read"}));
  EXPECT_TRUE(config->options.module_capabilities.empty());
  EXPECT_EQ(config->origin.at("capabilities"), file().string() + ":2");
}

TEST_F(GrantsSection, AnObjectGrantsPerModuleAndStarToAll) {
  auto config = load(R"({
  "capabilities": {
    "*": ["fs:read"],
    "net": ["net:listen", "net:connect"],
    "scripts.report": ["lua:io"]
  }
})");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_TRUE(config->warnings.empty());
  const RuntimeOptions& o = config->options;
  EXPECT_EQ(o.capabilities, Strings{"fs:read"});
  ASSERT_EQ(o.module_capabilities.size(), 2u);
  EXPECT_EQ(o.module_capabilities.at("net"), (Strings{"net:listen", "net:connect"}));
  EXPECT_EQ(o.module_capabilities.at("scripts.report"), Strings{"lua:io"});
  EXPECT_EQ(config->origin.at("capabilities.net"), file().string() + ":2");

  // What the runtime makes of them.
  Runtime rt(o);
  EXPECT_TRUE(rt.capability_granted("net", "net:listen"));
  EXPECT_TRUE(rt.capability_granted("net", "fs:read"));
  EXPECT_FALSE(rt.capability_granted("net", "lua:io"));
  EXPECT_TRUE(rt.capability_granted("scripts.report", "lua:io"));
  EXPECT_FALSE(rt.capability_granted("other", "net:listen"));
}

TEST_F(GrantsSection, WrongShapesNameFileLineAndKey) {
  auto scalar = load("{\n\"capabilities\": \"*\"\n}");
  ASSERT_FALSE(scalar.ok());
  EXPECT_NE(scalar.error().message.find(at(2) + "'capabilities' must be an array of strings"),
            std::string::npos)
      << scalar.error().message;

  auto inner = load("{\n\"capabilities\": {\n  \"net\": \"net:listen\"\n}\n}");
  ASSERT_FALSE(inner.ok());
  EXPECT_NE(inner.error().message.find(at(3) + "'capabilities.net' must be an array of strings"),
            std::string::npos)
      << inner.error().message;

  auto element = load("{\n\"capabilities\": {\n  \"net\": [\n\"a\",\n 7]\n}\n}");
  ASSERT_FALSE(element.ok());
  EXPECT_NE(element.error().message.find(at(5) + "'capabilities.net' must be an array of strings, "
                                                 "not an array whose element 1 is 7"),
            std::string::npos)
      << element.error().message;
}

TEST_F(GrantsSection, SlowThresholdsAndTrace) {
  auto config = load(R"({
  "performance": {"slow_ms": {"library": 2.5, "source": 3000, "script": 10, "scan": 50}},
  "trace": "out/session-trace.json"
})");
  ASSERT_TRUE(config.ok()) << config.error().message;
  const RuntimeOptions& o = config->options;
  EXPECT_DOUBLE_EQ(o.slow.library_ms, 2.5);
  EXPECT_DOUBLE_EQ(o.slow.source_ms, 3000);
  EXPECT_DOUBLE_EQ(o.slow.script_ms, 10);
  EXPECT_DOUBLE_EQ(o.slow.scan_ms, 50);
  EXPECT_EQ(o.trace_file, dir_ / "out/session-trace.json");  // the file's folder's
  EXPECT_EQ(config->origin.at("performance.slow_ms.library"), file().string() + ":2");
  EXPECT_EQ(config->origin.at("trace"), file().string() + ":3");

  auto defaults = load("{}");
  ASSERT_TRUE(defaults.ok());
  EXPECT_DOUBLE_EQ(defaults->options.slow.library_ms, 5);
  EXPECT_DOUBLE_EQ(defaults->options.slow.source_ms, 1000);
  EXPECT_DOUBLE_EQ(defaults->options.slow.script_ms, 20);
  EXPECT_DOUBLE_EQ(defaults->options.slow.scan_ms, 100);
  EXPECT_TRUE(defaults->options.trace_file.empty());
}

TEST_F(GrantsSection, LimitsTakeTheirDefaultsAndTheFilesValues) {
  auto config = load(R"({
  "limits": {"build_s": 30, "compile_s": 0, "script_instructions": 1000, "script_memory_mb": 8,
             "hook_s": 5, "pinned_call_s": 3, "retired_code_s": 20, "retired_code_mb": 16}
})");
  ASSERT_TRUE(config.ok()) << config.error().message;
  const RuntimeOptions::Limits& l = config->options.limits;
  EXPECT_EQ(l.build, std::chrono::seconds(30));
  EXPECT_EQ(l.compile, std::chrono::seconds(0)) << "0: no limit";
  EXPECT_EQ(l.script_instructions, 1000u);
  EXPECT_EQ(l.script_memory_mb, 8u);
  EXPECT_EQ(l.hook, std::chrono::seconds(5));
  EXPECT_EQ(l.pinned_call, std::chrono::seconds(3));
  EXPECT_EQ(l.retired_code, std::chrono::seconds(20));
  EXPECT_EQ(l.retired_code_mb, 16u);
  EXPECT_EQ(config->origin.at("limits.script_memory_mb"), file().string() + ":2");

  auto defaults = load("{}");
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->options.limits.build, std::chrono::seconds(600));
  EXPECT_EQ(defaults->options.limits.compile, std::chrono::seconds(300));
  EXPECT_EQ(defaults->options.limits.script_instructions, 100'000'000u);
  EXPECT_EQ(defaults->options.limits.script_memory_mb, 256u);
  EXPECT_EQ(defaults->options.limits.hook, std::chrono::seconds(60));
  EXPECT_EQ(defaults->options.limits.pinned_call, std::chrono::seconds(10));
  EXPECT_EQ(defaults->options.limits.retired_code, std::chrono::seconds(300));
  EXPECT_EQ(defaults->options.limits.retired_code_mb, 64u);

  auto negative = load("{\n\"limits\": {\"build_s\": -1}\n}");
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.error().message.find("limits.build_s"), std::string::npos)
      << negative.error().message;

  auto huge = load("{\n\"limits\": {\"compile_s\": 99999999999}\n}");
  ASSERT_FALSE(huge.ok()) << "a limit past a year would overflow the clock";
  EXPECT_NE(huge.error().message.find(
                "'limits.compile_s' is 99999999999; use at most 31622400, or 0 for no limit"),
            std::string::npos)
      << huge.error().message;

  auto too_much = load("{\n\"limits\": {\"retired_code_mb\": 2000000}\n}");
  ASSERT_FALSE(too_much.ok());
  EXPECT_NE(too_much.error().message.find("'limits.retired_code_mb' is 2000000; use at most "
                                          "1048576, or 0 to close replaced code at once"),
            std::string::npos)
      << too_much.error().message;
}

TEST_F(GrantsSection, BadThresholdsAreRefusedAndMisspellingsWarned) {
  auto zero = load("{\n\"performance\": {\"slow_ms\": {\n\"library\": 0}}\n}");
  ASSERT_FALSE(zero.ok());
  EXPECT_NE(zero.error().message.find(at(3) + "'performance.slow_ms.library' is 0; give a time in "
                                              "milliseconds above 0"),
            std::string::npos)
      << zero.error().message;

  auto text = load("{\n\"performance\": {\"slow_ms\": {\n\"source\": \"1s\"}}\n}");
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.error().message.find("'performance.slow_ms.source' is \"1s\""), std::string::npos);

  auto typo = load("{\n\"performance\": {\"slow_ms\": {\n\"libary\": 4}}\n}");
  ASSERT_TRUE(typo.ok()) << typo.error().message;
  ASSERT_EQ(typo->warnings.size(), 1u);
  EXPECT_EQ(typo->warnings[0], at(3) +
                                   "unknown key 'performance.slow_ms.libary' ignored; did you mean "
                                   "'performance.slow_ms.library'?");
}

}  // namespace
}  // namespace hotmod
