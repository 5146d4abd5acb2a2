// The programs a source module's build runs: the compiler (resolved once,
// with an identity that changes when it is upgraded), the launcher in
// front of it, and the fastest linker installed.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "hotmod/options.hpp"

namespace hotmod::compile {

enum class CompilerFamily { gcc, clang };

struct Toolchain {
  std::filesystem::path compiler;  // as found in PATH (what is run)
  CompilerFamily family = CompilerFamily::gcc;
  // Resolved path, size and modification time of the real binary: a
  // compiler upgrade changes it, and so every cache key. Reading it runs
  // nothing, so production mode can check the cache without a compiler.
  std::string identity;
  std::vector<std::string> launcher;  // e.g. {"/usr/bin/ccache"}; empty: none
  std::string linker_flag;            // "-fuse-ld=mold", "-fuse-ld=lld" or ""
  std::string linker_name;            // "mold", "lld" or "default"
};

// `name` when it holds a '/', else the first match in $PATH; empty when none.
std::filesystem::path find_program(std::string_view name);

// The compiler from `cxx.compiler`, else $CXX, else "c++"; the launcher from
// `cxx.launcher`; the linker from `cxx.linker`. An error names the setting
// and how to fix it.
Result<Toolchain> find_toolchain(const RuntimeOptions::Cxx& cxx);

}  // namespace hotmod::compile
