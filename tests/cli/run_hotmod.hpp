// Running the real `hotmod` binary the way a user or CI does, and what it
// printed. Output goes to files, not pipes, so a chatty child never blocks.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace hotmod_test {

struct Ran {
  int exit_code = -1;  // -1: did not exit normally (killed by a signal)
  std::string out;     // stdout
  std::string err;     // stderr
};

struct RunOptions {
  std::filesystem::path cwd;  // where it runs; must exist
  // Set on top of a clean environment: PATH, plus HOME and XDG_CACHE_HOME
  // pointed into `cwd` so nothing reaches the real ~/.cache. No HOTMOD_*
  // variable from the test's own environment gets through.
  std::map<std::string, std::string> env;
};

// Runs HOTMOD_CLI_PATH with `args`; stdout and stderr are not terminals.
Ran run_hotmod(const std::vector<std::string>& args, const RunOptions& options);

}  // namespace hotmod_test
