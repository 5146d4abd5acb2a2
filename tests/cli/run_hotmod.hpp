// Running the real `hotmod` binary the way a user or CI does, and what it
// printed. Output goes to files, not pipes, so a chatty child never blocks.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "process/child.hpp"

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
  // Its stdin (a file holding this text); /dev/null when unset.
  std::optional<std::string> input;
};

// Runs HOTMOD_CLI_PATH with `args`; stdout and stderr are not terminals.
Ran run_hotmod(const std::vector<std::string>& args, const RunOptions& options);

// `hotmod` running while the test goes on: its stdin is a pipe the test
// writes to, its stdout and stderr files the test reads as they grow. The
// destructor kills it (SIGKILL) if it still runs.
class Background {
 public:
  Background(const std::vector<std::string>& args, const RunOptions& options);
  ~Background();
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;

  void write(std::string_view text);  // to its stdin
  void close_stdin();                 // end of input
  void signal(int sig);

  std::string out() const;  // printed so far
  std::string err() const;
  // Polls stdout until it holds `text` (true), or `timeout` passes (false).
  bool wait_for_out(std::string_view text,
                    std::chrono::milliseconds timeout = std::chrono::seconds(60)) const;
  // Waits for it to end: exit code and everything it printed.
  Ran wait();

 private:
  std::optional<hotmod::process::Child> child_;
  std::filesystem::path out_file_;
  std::filesystem::path err_file_;
};

}  // namespace hotmod_test
