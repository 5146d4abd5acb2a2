#include "compile/build_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "compile/content_hash.hpp"
#include "text/read_file.hpp"
#include "text/write_file.hpp"

namespace hotmod::compile {
namespace fs = std::filesystem;
namespace {

// Recent builds kept per recipe: switching branches back and forth finds
// the earlier build instead of compiling again.
constexpr std::size_t kEntriesPerRecipe = 8;

struct Stat {
  std::int64_t size = -1;
  std::int64_t mtime_ns = 0;
};

Stat stat_fd(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return {};
  return {static_cast<std::int64_t>(st.st_size),
          static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec};
}

Stat stat_of(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return {};
  return {static_cast<std::int64_t>(st.st_size),
          static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec};
}

nlohmann::json read_json(const fs::path& file) {
  std::optional<std::string> text = text::read_whole_file(file);
  if (!text) return nullptr;
  return nlohmann::json::parse(*text, nullptr, false);  // discarded on error
}

// Hashes each file at most once per lookup; trusts a recorded hash while the
// file's size and nanosecond mtime are unchanged.
class InputChecker {
 public:
  bool matches(const nlohmann::json& input) {
    if (!input.is_object() || !input.contains("path") || !input.contains("hash")) return false;
    const std::string path = input["path"].get<std::string>();
    const std::string recorded = input["hash"].get<std::string>();
    if (recorded.empty()) return false;
    const Stat now = stat_of(path);
    if (now.size < 0) return false;
    if (now.size == input.value("size", std::int64_t{-2}) &&
        now.mtime_ns == input.value("mtime_ns", std::int64_t{0}))
      return true;
    auto it = hashes_.find(path);
    if (it == hashes_.end())
      it = hashes_.emplace(path, hash_file(path).value_or(std::string())).first;
    return it->second == recorded;
  }

 private:
  std::map<std::string, std::string> hashes_;
};

}  // namespace

nlohmann::json record_inputs(const std::vector<fs::path>& inputs, std::int64_t started_ns) {
  nlohmann::json recorded = nlohmann::json::array();
  for (const fs::path& input : inputs) {
    // Stat, hash and stat again through one descriptor: a save landing in
    // between must not pair the old identity with the new contents.
    std::string hash;
    Stat before;
    const int fd = ::open(input.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      before = stat_fd(fd);
      hash = hash_fd(fd).value_or(std::string());
      const Stat after = stat_fd(fd);
      ::close(fd);
      if (after.size != before.size || after.mtime_ns != before.mtime_ns) hash.clear();
    }
    // Edited while the compiler ran (or stamped in the future by another
    // machine's clock): the build may hold the old contents.
    if (before.size < 0 || before.mtime_ns >= started_ns) hash.clear();
    recorded.push_back({{"path", input.string()},
                        {"size", before.size},
                        {"mtime_ns", before.mtime_ns},
                        {"hash", hash}});
  }
  return recorded;
}

bool inputs_unchanged(const nlohmann::json& recorded) {
  if (!recorded.is_array()) return false;
  InputChecker checker;
  for (const nlohmann::json& input : recorded)
    if (!checker.matches(input)) return false;
  return true;
}

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
  return root_ / "v1" / "manifests" / (recipe + ".json");
}

std::optional<CacheEntry> BuildCache::lookup(const std::string& recipe) const {
  // A manifest of the wrong shape (another version, a hand edit) is a miss.
  try {
    return lookup_checked(recipe);
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

std::optional<CacheEntry> BuildCache::lookup_checked(const std::string& recipe) const {
  const nlohmann::json manifest = read_json(manifest_path(recipe));
  if (!manifest.is_object() || !manifest.contains("builds") || !manifest["builds"].is_array())
    return std::nullopt;
  InputChecker checker;
  for (const nlohmann::json& build : manifest["builds"]) {
    if (!build.is_object() || !build.contains("key") || !build.contains("inputs")) continue;
    bool all = true;
    for (const nlohmann::json& input : build["inputs"])
      if (!checker.matches(input)) {
        all = false;
        break;
      }
    if (!all) continue;
    CacheEntry e;
    e.key = build["key"].get<std::string>();
    e.artifact = root_ / "v1" / "objects" / (e.key + ".so");
    if (stat_of(e.artifact).size <= 0) continue;
    for (const nlohmann::json& input : build["inputs"])
      e.inputs.emplace_back(input["path"].get<std::string>());
    return e;
  }
  return std::nullopt;
}

Result<CacheEntry> BuildCache::store(const std::string& recipe, const fs::path& built,
                                     const std::vector<fs::path>& inputs, std::int64_t started_ns) {
  const nlohmann::json recorded = record_inputs(inputs, started_ns);
  KeyHasher key;
  key.add(recipe);
  bool complete = true;
  for (const nlohmann::json& input : recorded) {
    key.add(input["path"].get<std::string>()).add(input["hash"].get<std::string>());
    complete = complete && !input["hash"].get<std::string>().empty();
  }
  // An input of unknown contents (edited during the compile): the build is
  // used once under a key of its own and never found again.
  if (!complete) key.add("incomplete-" + text::unique_suffix() + "-" + std::to_string(started_ns));
  CacheEntry e;
  e.key = key.hex();
  e.artifact = root_ / "v1" / "objects" / (e.key + ".so");
  e.inputs = inputs;
  std::error_code ec;
  fs::create_directories(e.artifact.parent_path(), ec);
  // Never replace an existing artifact: a running process may have it open.
  if (stat_of(e.artifact).size > 0) {
    fs::remove(built, ec);
  } else {
    fs::rename(built, e.artifact, ec);
    if (ec)
      return Error{Stage::build, Failure::io_error,
                   fmt::format("cannot store the build in the cache '{}': {}; check that the "
                               "folder is writable or set cxx.cache_dir",
                               root_.string(), ec.message())};
  }
  if (!complete) return e;
  nlohmann::json manifest = read_json(manifest_path(recipe));
  nlohmann::json builds = nlohmann::json::array();
  builds.push_back({{"key", e.key}, {"inputs", recorded}});
  if (manifest.is_object() && manifest.contains("builds") && manifest["builds"].is_array())
    for (const nlohmann::json& b : manifest["builds"])
      if (builds.size() < kEntriesPerRecipe && b.is_object() && b.value("key", "") != e.key)
        builds.push_back(b);
  if (!text::write_file_atomically(manifest_path(recipe),
                                   nlohmann::json{{"builds", builds}}.dump(1)))
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
