// bench/bench_util.hpp — helpers shared by the benchmark drivers.
//
// Output contract with scripts/bench: each driver prints its figures on
// stdout, one "name value" line each, and everything meant for people on
// stderr.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <hotmod/runtime.hpp>

namespace hotmod_bench {

namespace fs = std::filesystem;

// A fresh folder under $TMPDIR, removed with its contents on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix) {
    std::string pattern = (fs::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr)
      throw std::runtime_error("cannot create a temporary folder from " + pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Nearest-rank percentile, p in (0, 100]; 0 for an empty sample.
inline double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  return v[std::clamp<std::size_t>(rank, 1, v.size()) - 1];
}

// The median: the mean of the middle two for an even count.
inline double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// The one line per figure that scripts/bench reads.
inline void print_figure(std::string_view name, double value) {
  std::printf("%.*s %.6g\n", static_cast<int>(name.size()), name.data(), value);
  std::fflush(stdout);
}

// Reads "--name=N" from the command line; `fallback` when absent.
inline int int_option(int argc, char** argv, std::string_view name, int fallback) {
  std::string prefix = "--" + std::string(name) + "=";
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.starts_with(prefix)) return std::stoi(std::string(arg.substr(prefix.size())));
  }
  return fallback;
}

// Runtime options for a benchmark: versioned copies in `scratch`, and a log
// sink that drops routine lines (the runtime still formats them at its
// default level, as in a real host) but shows warnings and errors.
inline hotmod::RuntimeOptions bench_options(const fs::path& modules, const fs::path& scratch) {
  hotmod::RuntimeOptions opts;
  opts.module_paths = {modules};
  opts.versions_dir = scratch / "versions";
  opts.log_sink = [](hotmod::LogLevel level, std::string_view line) {
    if (level >= hotmod::LogLevel::warn) std::cerr << line << '\n';
  };
  return opts;
}

// Exits with a message on stderr: benchmarks of a broken runtime mean nothing.
[[noreturn]] inline void fail(std::string_view what) {
  std::cerr << "bench: error: " << what << '\n';
  std::exit(1);
}

}  // namespace hotmod_bench
