// Compiling a source module into a shared object, or finding it in the
// cache. One SourceBuilder per runtime; it resolves the toolchain, reads
// the project's compile_commands.json and builds the precompiled header
// once, and is safe to use from several threads (builds of different
// modules run in parallel; the PCH is built once).
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "compile/build_cache.hpp"
#include "compile/compile_db.hpp"
#include "compile/pch.hpp"
#include "compile/toolchain.hpp"
#include "hotmod/options.hpp"
#include "hotmod/reload_stats.hpp"

namespace hotmod::compile {

// The files of a source module: `root` itself when it is a file, else every
// .cpp/.cc/.cxx below the folder, sorted.
std::vector<std::filesystem::path> module_sources(const std::filesystem::path& root);

struct BuildResult {
  bool ok = false;
  bool compiled = false;   // false: found in the cache
  bool cancelled = false;  // stopped through `cancel`
  std::filesystem::path artifact;
  std::string key;
  std::vector<std::filesystem::path> inputs;  // sources and every header they include
  Failure failure = Failure::none;
  std::string error;   // one line: what happened and what to do
  std::string output;  // the compiler's output as it printed it
  std::vector<CompilerMessage> messages;
  std::chrono::nanoseconds duration{0};
};

class SourceBuilder {
 public:
  // `compile_limit`: how long one module's compiles and link may run
  // together before they are stopped (0: no limit; limits.compile_s).
  SourceBuilder(RuntimeOptions::Cxx options, std::function<void(LogLevel, std::string)> log,
                std::chrono::seconds compile_limit = {});
  ~SourceBuilder();

  // Builds module `name` from `root` (a .cpp file or a marked folder).
  // Without `allow_compile` (production) only the cache is consulted.
  // `colour`: ask the compiler for coloured diagnostics (a terminal reads them).
  BuildResult build(const std::string& name, const std::filesystem::path& root, bool allow_compile,
                    const std::atomic<bool>* cancel, bool colour = false);

  const std::filesystem::path& cache_dir() const { return cache_.root(); }

 private:
  struct Plan;
  // cxx.project_dir, else the current folder: where compiles run and
  // relative settings point.
  std::filesystem::path project_dir() const;
  std::optional<Plan> plan(const std::string& name, const std::filesystem::path& root,
                           BuildResult* out);
  void compile(const std::string& name, Plan& plan, const std::atomic<bool>* cancel, bool colour,
               BuildResult* out);
  // The precompiled header's flags and inputs for this compile, or its text
  // when it is not built yet; empty when the compile goes without (said in
  // the log). False when `cancel` was set while waiting. With the text,
  // `gate` is the background build's start: open it once the compiler is done.
  struct PchStart;
  bool precompiled_header(const Plan& plan, const std::atomic<bool>* cancel, Pch* use, bool* text,
                          std::shared_ptr<PchStart>* gate);
  void start_pch_build(const Plan& plan, const std::string& key, std::shared_ptr<PchStart> start);

  RuntimeOptions::Cxx options_;
  std::function<void(LogLevel, std::string)> log_;
  std::chrono::seconds compile_limit_;
  BuildCache cache_;
  std::mutex mu_;  // guards the lazily found pieces below
  std::optional<Result<Toolchain>> toolchain_;
  bool db_searched_ = false;
  std::optional<CompileDatabase> db_;
  // The precompiled header a compile could not wait for, built in the
  // background (by flag set, as pch_dir() keys them) once `start` opens,
  // then checked by the next compile as usual. Destroying the builder waits
  // for them.
  struct PchStart {
    std::promise<void> go;
    std::once_flag once;
    // When the compile that asked for it is done with the processor, or at
    // once when another compile waits for it.
    void open() {
      std::call_once(once, [this] { go.set_value(); });
    }
  };
  struct PchBuild {
    std::uint64_t id = 0;
    std::shared_ptr<PchStart> start;
    std::shared_future<PchOutcome> future;
  };
  std::mutex pch_mu_;
  std::map<std::string, PchBuild> pch_builds_;
  std::uint64_t pch_build_count_ = 0;
};

}  // namespace hotmod::compile
