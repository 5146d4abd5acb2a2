// Built source modules, kept across restarts under the cache folder:
//
//   v1/objects/<key>.so        a built module, named by its key
//   v1/objects/<key>.o         one compiled file of a module built from several
//   v1/objects/<key>.inputs    every file it read, with that file's hash
//                              (the format is in input_record.hpp)
//   v1/objects/<key>.sha256    the SHA-256 of the object, when it was stored
//   v1/manifests/<recipe>.builds  the keys of recent builds of one recipe
//                              (module name, toolchain, flags, source
//                              list), newest first
//   v1/tmp/                    work folders of builds in progress
//
// A build's key covers its recipe and the contents of every input: the
// sources and each header they include (from the compiler's depfiles).
// Looking one up runs no compiler: it stats the recorded inputs and hashes
// only those whose size or modification time changed (as ccache's direct
// mode does), so an unchanged module is found in about a millisecond: it
// reads the short list of keys and then the inputs of the newest build,
// which is the one that matches unless the sources went back to an older
// state (a branch switch, an undo).
// Writes are atomic renames, so processes may share one cache; a recipe's
// records are written under a lock on v1/manifests/<recipe>.builds.lock, so two
// processes storing builds of one recipe at once keep both. A build is used
// only when its object still has the SHA-256 recorded when it was stored.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "hotmod/value.hpp"

namespace hotmod::compile {

struct CacheEntry {
  std::string key;
  std::filesystem::path artifact;             // v1/objects/<key>.so
  std::vector<std::filesystem::path> inputs;  // sources and headers it was built from
};

class BuildCache {
 public:
  explicit BuildCache(std::filesystem::path root);
  const std::filesystem::path& root() const { return root_; }

  // The most recent recorded build of `recipe` whose inputs all still hash
  // as recorded and whose artifact exists. `kind`: the artifact's
  // extension, ".so" for a module, ".o" for one of its compiled files.
  // `damaged`, when given, says why the build of the current inputs was
  // not returned: its object no longer has the SHA-256 recorded when it
  // was stored (changed or damaged since), or none was recorded (stored by
  // an older hotmod). Storing a new build of it replaces the object.
  std::optional<CacheEntry> lookup(const std::string& recipe, const char* kind = ".so",
                                   std::string* damaged = nullptr) const;

  // Why this process may not run code from the cache folder ("" when it
  // may): it, or a folder above it, can be changed by another user (see
  // loader/trust.hpp). Creates the folder (0700) when missing.
  std::string folder_problem() const;

  // Moves `built` into the cache under a key over `recipe` and the inputs'
  // contents, and records it first in the recipe's manifest. An input
  // modified after `started_ns` (wall clock, ns) was edited during the
  // build: it is recorded as unknown, so the next lookup builds again. On
  // an error `built` is still where it was.
  Result<CacheEntry> store(const std::string& recipe, const std::filesystem::path& built,
                           const std::vector<std::filesystem::path>& inputs,
                           std::int64_t started_ns, const char* kind = ".so");

  // A fresh folder for one build's intermediate files.
  Result<std::filesystem::path> work_dir(const std::string& module) const;

 private:
  std::filesystem::path manifest_path(const std::string& recipe) const;
  std::filesystem::path object_path(const std::string& key, const char* extension) const;
  std::filesystem::path root_;
};

// The default cache folder: $XDG_CACHE_HOME/hotmod, else $HOME/.cache/hotmod,
// else $TMPDIR/hotmod-cache-<uid>.
std::filesystem::path default_cache_dir();

}  // namespace hotmod::compile
