#include "compile/build_cache.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include <fmt/format.h>

#include "compile/content_hash.hpp"
#include "compile/input_record.hpp"
#include "text/read_file.hpp"
#include "text/write_file.hpp"

namespace hotmod::compile {
namespace fs = std::filesystem;
namespace {

// Recent builds kept per recipe: switching branches back and forth finds
// the earlier build instead of compiling again.
constexpr std::size_t kEntriesPerRecipe = 8;

std::int64_t artifact_size(const fs::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 ? static_cast<std::int64_t>(st.st_size) : -1;
}

std::vector<RecordedBuild> read_manifest(const fs::path& manifest) {
  std::optional<std::string> text = text::read_whole_file(manifest);
  if (!text) return {};
  return parse_builds(*text).value_or(std::vector<RecordedBuild>());
}

}  // namespace

fs::path default_cache_dir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg == '/')
    return fs::path(xdg) / "hotmod";
  if (const char* home = std::getenv("HOME"); home != nullptr && *home == '/')
    return fs::path(home) / ".cache" / "hotmod";
  const char* tmp = std::getenv("TMPDIR");
  return fs::path(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") /
         ("hotmod-cache-" + std::to_string(::getuid()));
}

BuildCache::BuildCache(fs::path root) : root_(std::move(root)) {}

fs::path BuildCache::manifest_path(const std::string& recipe) const {
  return root_ / "v1" / "manifests" / (recipe + ".inputs");
}

std::optional<CacheEntry> BuildCache::lookup(const std::string& recipe) const {
  InputChecker checker;
  for (RecordedBuild& build : read_manifest(manifest_path(recipe))) {
    if (!checker.all_match(build.inputs)) continue;
    CacheEntry e;
    e.key = std::move(build.key);
    e.artifact = root_ / "v1" / "objects" / (e.key + ".so");
    if (artifact_size(e.artifact) <= 0) continue;
    e.inputs = paths_of(build.inputs);
    return e;
  }
  return std::nullopt;
}

Result<CacheEntry> BuildCache::store(const std::string& recipe, const fs::path& built,
                                     const std::vector<fs::path>& inputs, std::int64_t started_ns) {
  RecordedBuild recorded{{}, record_inputs(inputs, started_ns)};
  KeyHasher key;
  key.add(recipe);
  for (const InputRecord& input : recorded.inputs) key.add(input.path).add(input.hash);
  // An input of unknown contents (edited during the compile): the build is
  // used once under a key of its own and never found again.
  const bool known = complete(recorded.inputs);
  if (!known) key.add("incomplete-" + text::unique_suffix() + "-" + std::to_string(started_ns));
  CacheEntry e;
  e.key = key.hex();
  e.artifact = root_ / "v1" / "objects" / (e.key + ".so");
  e.inputs = inputs;
  std::error_code ec;
  fs::create_directories(e.artifact.parent_path(), ec);
  // Never replace an existing artifact: a running process may have it open.
  if (artifact_size(e.artifact) > 0) {
    fs::remove(built, ec);
  } else {
    fs::rename(built, e.artifact, ec);
    if (ec)
      return Error{Stage::build, Failure::io_error,
                   fmt::format("cannot store the build in the cache '{}': {}; check that the "
                               "folder is writable or set cxx.cache_dir",
                               root_.string(), ec.message())};
  }
  if (!known) return e;
  recorded.key = e.key;
  std::vector<RecordedBuild> builds;
  builds.push_back(std::move(recorded));
  for (RecordedBuild& b : read_manifest(manifest_path(recipe)))
    if (builds.size() < kEntriesPerRecipe && b.key != e.key) builds.push_back(std::move(b));
  if (!text::write_file_atomically(manifest_path(recipe), format_builds(builds)))
    return Error{Stage::build, Failure::io_error,
                 fmt::format("cannot write the build cache manifest '{}'; check that the folder "
                             "is writable or set cxx.cache_dir",
                             manifest_path(recipe).string())};
  return e;
}

Result<fs::path> BuildCache::work_dir(const std::string& module) const {
  const fs::path dir = root_ / "v1" / "tmp" / (module + "-" + text::unique_suffix());
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    return Error{Stage::build, Failure::io_error,
                 fmt::format("cannot create '{}' for building module '{}': {}; check that the "
                             "folder is writable or set cxx.cache_dir",
                             dir.string(), module, ec.message())};
  return dir;
}

}  // namespace hotmod::compile
