// The checks `hotmod doctor` runs. Each says what it found and, for a
// problem, what to do; none changes anything. They reuse the library's own
// logic (find_toolchain, default_cache_dir, discover, the watcher's
// file-system test) so the doctor sees what a runtime would.
#pragma once

#include <string>
#include <vector>

#include "hotmod/config.hpp"

namespace hotmod::cli {

enum class CheckLevel { ok, warn, fail };

struct Check {
  CheckLevel level = CheckLevel::ok;
  std::string text;  // what was found; for a problem, "; " and the fix
};

// The C++ compiler (cxx.compiler, $CXX or c++) and its version, and the
// linker. A missing compiler fails only when there are source modules.
std::vector<Check> check_toolchain(const RuntimeOptions& options, bool has_source_modules);

// The build cache folder: exists, or can be created, and is writable.
Check check_cache(const RuntimeOptions& options);

// Each module folder: exists, is a folder, how many modules of each kind;
// names found twice. Sets *has_source_modules.
std::vector<Check> check_module_paths(const RuntimeOptions& options, bool* has_source_modules);

// Folders to watch against fs.inotify.max_user_watches, and module folders
// on file systems inotify cannot see changes on.
std::vector<Check> check_watching(const RuntimeOptions& options);

// The Lua version compiled in (script modules, the REPL).
Check check_lua();

}  // namespace hotmod::cli
