// The precompiled header a source module compiles against:
// <hotmod/module.hpp> and the library headers the module itself includes
// first (`headers`, from leading_library_includes()). Parsing them is most of a module's compile,
// so it is done once per flag set and header list (flags must match exactly
// for the compiler to accept a PCH) and kept in the cache folder:
//
//   v1/pch/<key>/hotmod_pch.hpp        the header (-include'd)
//   v1/pch/<key>/hotmod_pch.hpp.gch    GCC's PCH (found next to it)
//   v1/pch/<key>/hotmod_pch.hpp.pch    clang's (-include-pch)
//   v1/pch/<key>/hotmod_pch_text.hpp   the same text, for a compile that cannot wait
//   v1/pch/<key>/inputs                headers it was built from (input_record.hpp)
//
// It is rebuilt when any header it was built from changes.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "compile/toolchain.hpp"

namespace hotmod::compile {

struct Pch {
  std::vector<std::string> use_flags;         // add these to a compile
  std::vector<std::filesystem::path> inputs;  // what a module using it depends on
};

struct PchOutcome {
  bool ok = false;
  Pch pch;
  std::string error;  // why it could not be built: compile without it
  bool built = false;
};

// The folder of the PCH for `flags` and `headers`: one per compiler, flag
// set and header list.
std::filesystem::path pch_dir(const Toolchain& tc, const std::vector<std::string>& flags,
                              const std::vector<std::string>& headers,
                              const std::filesystem::path& cache_root);

enum class PchWait {
  build,        // wait for another process's build, or build it
  unless_busy,  // build it unless another process is: not ok, no error
  find_only,    // only find one built: not ok, no error, when there is none
};

// Finds or builds the PCH for `flags` (everything but the per-file -c, -o
// and depfile options). `cancel` stops a build in progress, and so does
// running for `limit` (0: no limit).
PchOutcome ensure_pch(const Toolchain& tc, const std::vector<std::string>& flags,
                      const std::vector<std::string>& headers,
                      const std::filesystem::path& cache_root, const std::atomic<bool>* cancel,
                      std::chrono::nanoseconds limit = {}, PchWait wait = PchWait::build);

// The same header as text, for a compile that cannot wait for its PCH: it
// reads the same declarations, so a module that compiles one way compiles
// the other. Nullopt when the header cannot be written.
std::optional<Pch> pch_text(const Toolchain& tc, const std::vector<std::string>& flags,
                            const std::vector<std::string>& headers,
                            const std::filesystem::path& cache_root);

}  // namespace hotmod::compile
