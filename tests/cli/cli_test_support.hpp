// What the command-line tests share: a temporary project folder (module
// folder mods/, its own build cache) and a way to run `hotmod` in it.
#pragma once

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "files.hpp"
#include "run_hotmod.hpp"
#include "temp_dir_common.hpp"

namespace hotmod_test {

// A source module that builds: one export, nothing else.
inline constexpr const char* kGoodModule = R"(#include <hotmod/module.hpp>
HOTMOD_MODULE("hello", "1.0.0", "Answers");
int answer() { return 42; }
HOTMOD_EXPORT(answer, "The answer");
)";

// The same with an error on line 3.
inline constexpr const char* kBrokenModule = R"(#include <hotmod/module.hpp>
HOTMOD_MODULE("hello", "1.0.0", "Answers");
int answer() { return no_such_name; }
HOTMOD_EXPORT(answer, "The answer");
)";

class CliTest : public ::testing::Test {
 protected:
  // hotmod.json points the cache into the test's folder. Building the
  // precompiled header takes seconds in every fresh cache, so these compile
  // without it but one (TheSecondBuildIsCachedWithThePrecompiledHeader).
  CliTest() {
    std::filesystem::create_directories(mods());
    write("hotmod.json", R"({"cxx": {"cache_dir": "cache", "precompiled_header": false}})");
  }

  void write(const std::filesystem::path& rel, const std::string& text) {
    write_file(dir_ / rel, text);
  }

  Ran hotmod(const std::vector<std::string>& args, std::map<std::string, std::string> env = {}) {
    return run_hotmod(args, RunOptions{dir_.path(), std::move(env), std::nullopt});
  }
  // With `input` as its stdin (a file, not a terminal).
  Ran hotmod_reading(const std::vector<std::string>& args, const std::string& input) {
    return run_hotmod(args, RunOptions{dir_.path(), {}, input});
  }
  std::unique_ptr<Background> background(const std::vector<std::string>& args) {
    return std::make_unique<Background>(args, RunOptions{dir_.path(), {}, std::nullopt});
  }
  // Copies `from` beside `to`, then renames it over `to`: a new inode, never
  // a half-written file, as a careful build tool installs a module.
  void install(const std::filesystem::path& from, const std::filesystem::path& rel) {
    const auto to = dir_ / rel;
    std::filesystem::create_directories(to.parent_path());
    const auto tmp = to.parent_path() / ("." + to.filename().string() + ".tmp");
    std::filesystem::copy_file(from, tmp, std::filesystem::copy_options::overwrite_existing);
    std::filesystem::rename(tmp, to);
  }

  std::filesystem::path mods() const { return dir_ / "mods"; }
  std::filesystem::path cache() const { return dir_ / "cache"; }

  TempDir dir_{"hotmod-cli"};
};

inline bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// "exit 2, stderr: ..." for failure messages.
inline std::string shown(const Ran& run) {
  return "exit " + std::to_string(run.exit_code) + "\nstdout:\n" + run.out + "stderr:\n" + run.err;
}

}  // namespace hotmod_test
