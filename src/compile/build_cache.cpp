#include "compile/build_cache.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "compile/content_hash.hpp"
#include "compile/input_record.hpp"
#include "compile/sha256.hpp"
#include "loader/trust.hpp"
#include "text/file_lock.hpp"
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

// Moves `built` to `artifact`, where no intact build of the key is (the
// caller checked, under the recipe's lock); the problem, or "". A damaged
// one there is unlinked, never written over: a process running it keeps
// its mapping.
std::string place_artifact(const fs::path& built, const fs::path& artifact) {
  // Read-only as well: nothing should write over an image that may run.
  ::chmod(built.c_str(), 0555);
  std::error_code ec;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (::link(built.c_str(), artifact.c_str()) == 0) break;
    if (errno == EEXIST) {
      ::unlink(artifact.c_str());
      continue;
    }
    if (errno != EPERM && errno != EOPNOTSUPP && errno != EMLINK) return std::strerror(errno);
    // A filesystem without hard links: renamed over what is there.
    fs::rename(built, artifact, ec);
    return ec ? ec.message() : std::string();
  }
  fs::remove(built, ec);
  return {};
}

// The digest recorded beside an object; "" when there is none.
std::string recorded_digest(const fs::path& file) {
  std::optional<std::string> text = text::read_whole_file(file);
  if (!text || text->size() != 65 || text->back() != '\n') return {};
  return text->substr(0, 64);
}

constexpr std::string_view kKeysHeader = "hotmod builds 2";

// The keys a manifest lists, newest first; none for a missing or malformed one.
std::vector<std::string> read_keys(const fs::path& manifest) {
  std::optional<std::string> text = text::read_whole_file(manifest);
  std::vector<std::string> keys;
  if (!text || !text->starts_with(std::string(kKeysHeader) + "\n")) return keys;
  std::string_view rest = std::string_view(*text).substr(kKeysHeader.size() + 1);
  while (!rest.empty()) {
    const std::size_t end = rest.find('\n');
    if (end == std::string_view::npos) return {};  // cut short
    const std::string_view key = rest.substr(0, end);
    if (key.empty() || key.find_first_of("/ ") != std::string_view::npos) return {};
    keys.emplace_back(key);
    rest.remove_prefix(end + 1);
  }
  return keys;
}

std::string format_keys(const std::vector<std::string>& keys) {
  std::string text(kKeysHeader);
  text += '\n';
  for (const std::string& key : keys) text += key + '\n';
  return text;
}

// The one build a key's inputs file records, if it reads as one.
std::optional<RecordedBuild> read_build(const fs::path& inputs) {
  std::optional<std::string> text = text::read_whole_file(inputs);
  if (!text) return std::nullopt;
  std::optional<std::vector<RecordedBuild>> builds = parse_builds(*text);
  if (!builds || builds->size() != 1) return std::nullopt;
  return std::move(builds->front());
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
  return root_ / "v1" / "manifests" / (recipe + ".builds");
}

fs::path BuildCache::object_path(const std::string& key, const char* extension) const {
  return root_ / "v1" / "objects" / (key + extension);
}

std::string BuildCache::folder_problem() const {
  std::error_code ec;
  if (!fs::exists(root_, ec)) {
    fs::create_directories(root_, ec);
    if (!ec) fs::permissions(root_, fs::perms::owner_all, ec);
  }
  // The objects' folder and every folder above it, the root included.
  const fs::path objects = root_ / "v1" / "objects";
  return loader::untrusted_because(fs::exists(objects, ec) ? objects : root_, ::getuid());
}

std::optional<CacheEntry> BuildCache::lookup(const std::string& recipe, const char* kind,
                                             std::string* damaged) const {
  InputChecker checker;
  for (const std::string& key : read_keys(manifest_path(recipe))) {
    std::optional<RecordedBuild> build = read_build(object_path(key, ".inputs"));
    // No inputs at all is a damaged record, not a build that matches anything.
    if (!build || build->key != key || build->inputs.empty() || !checker.all_match(build->inputs))
      continue;
    CacheEntry e;
    e.key = key;
    e.artifact = object_path(key, kind);
    if (artifact_size(e.artifact) <= 0) continue;
    // The object is what was stored: a changed or damaged one never runs.
    std::string recorded = recorded_digest(object_path(key, ".sha256"));
    std::optional<std::string> now = sha256_of_file(e.artifact);
    if (!recorded.empty() && now != recorded) {
      // Perhaps caught between a store's new digest and its object (a
      // `hotmod build` running now): looked at again once that store is done.
      std::string why;
      std::optional<text::FileLock> lock = text::FileLock::acquire(
          manifest_path(recipe).string() + ".lock", nullptr, std::chrono::seconds(10), &why);
      recorded = recorded_digest(object_path(key, ".sha256"));
      now = sha256_of_file(e.artifact);
    }
    if (recorded.empty() || now != recorded) {
      if (damaged != nullptr)
        *damaged = recorded.empty()
                       ? fmt::format("'{}' has no SHA-256 recorded (stored by an older hotmod)",
                                     e.artifact.string())
                       : fmt::format(
                             "'{}' does not have the SHA-256 recorded when it was stored "
                             "(sha256 {}, recorded {}): it was changed or damaged since",
                             e.artifact.string(), now ? now->substr(0, 12) : "unreadable",
                             recorded.substr(0, 12));
      return std::nullopt;
    }
    e.inputs = paths_of(build->inputs);
    return e;
  }
  return std::nullopt;
}

Result<CacheEntry> BuildCache::store(const std::string& recipe, const fs::path& built,
                                     const std::vector<fs::path>& inputs, std::int64_t started_ns,
                                     const char* kind) {
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
  e.artifact = object_path(e.key, kind);
  e.inputs = inputs;
  const std::optional<std::string> digest = sha256_of_file(built);
  if (!digest)
    return Error{
        Stage::build, Failure::io_error,
        fmt::format("cannot read the build '{}' to store it in the cache", built.string())};
  std::error_code ec;
  fs::create_directories(e.artifact.parent_path(), ec);
  fs::create_directories(manifest_path(recipe).parent_path(), ec);
  // Another process storing a build of this recipe waits: each reads the
  // manifest the other wrote, and no entry is lost. Past the wait the build
  // is stored anyway; the manifest may then lose an entry (a rebuild).
  std::string why;
  std::optional<text::FileLock> lock = text::FileLock::acquire(
      manifest_path(recipe).string() + ".lock", nullptr, std::chrono::seconds(10), &why);
  // A build of this key that is intact stays: modules may run from it, and
  // a process that checked it opens it by name. (Two builds of one key may
  // differ in bytes that do not matter, such as timestamps.)
  const fs::path digest_file = object_path(e.key, ".sha256");
  const std::string kept = recorded_digest(digest_file);
  const bool intact = !kept.empty() && sha256_of_file(e.artifact) == kept;
  // The records, then the build: a lookup in between finds no artifact, or
  // one not matching the digest, and misses; a failure leaves `built` where
  // it was for the caller.
  if (!intact && !text::write_file_atomically(digest_file, *digest + "\n"))
    return Error{Stage::build, Failure::io_error,
                 fmt::format("cannot write the build cache's digest of a build in '{}'; check "
                             "that the folder is writable or set cxx.cache_dir",
                             root_.string())};
  if (known) {
    recorded.key = e.key;
    std::vector<std::string> keys = {e.key};
    for (std::string& k : read_keys(manifest_path(recipe)))
      if (keys.size() < kEntriesPerRecipe && k != e.key) keys.push_back(std::move(k));
    // The inputs first: a manifest never names a key whose inputs are missing.
    if (!text::write_file_atomically(object_path(e.key, ".inputs"), format_builds({recorded})) ||
        !text::write_file_atomically(manifest_path(recipe), format_keys(keys)))
      return Error{Stage::build, Failure::io_error,
                   fmt::format("cannot write the build cache's record of module inputs in '{}'; "
                               "check that the folder is writable or set cxx.cache_dir",
                               root_.string())};
  }
  if (intact) {
    fs::remove(built, ec);
    return e;
  }
  if (std::string problem = place_artifact(built, e.artifact); !problem.empty())
    return Error{Stage::build, Failure::io_error,
                 fmt::format("cannot store the build in the cache '{}': {}; check that the "
                             "folder is writable or set cxx.cache_dir",
                             root_.string(), problem)};
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
