// `hotmod doctor`: the compiler, the linker and the build cache.
#include <fmt/format.h>
#include <unistd.h>

#include "cli/cli_runtime.hpp"
#include "cli/doctor_checks.hpp"
#include "compile/build_cache.hpp"
#include "compile/toolchain.hpp"
#include "process/run.hpp"

namespace hotmod::cli {
namespace fs = std::filesystem;
namespace {

// The first line of `compiler --version`, or "" when it does not answer.
std::string version_of(const fs::path& compiler) {
  const process::Outcome run = process::run({{compiler.string(), "--version"}});
  if (!run.ok()) return {};
  return run.output.substr(0, run.output.find('\n'));
}

// The folder itself when it exists, else the nearest parent that does.
fs::path nearest_existing(fs::path dir) {
  std::error_code ec;
  while (!dir.empty() && !fs::exists(dir, ec) && dir.has_relative_path()) dir = dir.parent_path();
  return dir;
}

}  // namespace

std::vector<Check> check_toolchain(const RuntimeOptions& options, bool has_source_modules) {
  Result<compile::Toolchain> t = compile::find_toolchain(options.cxx);
  if (!t) {
    const CheckLevel level = has_source_modules ? CheckLevel::fail : CheckLevel::warn;
    std::string text = fmt::format("C++ compiler: {}", t.error().message);
    if (!has_source_modules) text += " (only source modules need one)";
    return {{level, text}};
  }
  std::vector<Check> out;
  const std::string version = version_of(t->compiler);
  std::string compiler = fmt::format("C++ compiler: {}", t->compiler.string());
  if (!t->launcher.empty()) compiler += fmt::format(" through {}", joined(t->launcher));
  if (version.empty())
    out.push_back({CheckLevel::warn,
                   fmt::format("{} does not answer --version; check that it runs", compiler)});
  else
    out.push_back({CheckLevel::ok, fmt::format("{} ({})", compiler, version)});
  if (t->linker_name == "default")
    out.push_back({CheckLevel::ok,
                   "linker: the compiler's default (mold or lld link source modules faster: "
                   "install mold, or lld)"});
  else
    out.push_back({CheckLevel::ok, fmt::format("linker: {} ({})", t->linker_name, t->linker_flag)});
  return out;
}

Check check_cache(const RuntimeOptions& options) {
  const fs::path dir =
      options.cxx.cache_dir.empty() ? compile::default_cache_dir() : options.cxx.cache_dir;
  const std::string fix =
      "; make it writable, or set cxx.cache_dir in hotmod.json (or HOTMOD_CACHE_DIR)";
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec))
      return {CheckLevel::fail,
              fmt::format("build cache: {} is not a folder{}", dir.string(), fix)};
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
      return {CheckLevel::fail,
              fmt::format("build cache: {} is not writable{}", dir.string(), fix)};
    return {CheckLevel::ok, fmt::format("build cache: {}", dir.string())};
  }
  const fs::path parent = nearest_existing(dir);
  std::string why;
  if (parent.empty())
    why = "no parent exists";
  else if (!fs::is_directory(parent, ec))
    why = fmt::format("{} is a file, not a folder", parent.string());
  else if (::access(parent.c_str(), W_OK | X_OK) != 0)
    why = fmt::format("{} is not writable", parent.string());
  if (!why.empty())
    return {CheckLevel::fail,
            fmt::format("build cache: {} cannot be created ({}){}", dir.string(), why, fix)};
  return {CheckLevel::ok,
          fmt::format("build cache: {} (created on the first build)", dir.string())};
}

}  // namespace hotmod::cli
