#include "config/merge_cxx.hpp"

#include <string>
#include <vector>

#include <fmt/format.h>

#include "config/layer_pick.hpp"

namespace hotmod::config {
namespace fs = std::filesystem;

void merge_cxx(const EnvironmentSettings& env, const FileSettings& file,
               const std::optional<fs::path>& file_path, const fs::path& cwd, LoadedConfig& out) {
  RuntimeOptions::Cxx& c = out.options.cxx;
  const CxxSettings& f = file.cxx;
  // Each key from the file, else hotmod's default.
  const auto one = [&](std::string_view key, auto fallback, const auto& value) {
    using T = decltype(fallback);
    return pick<T>(key, std::move(fallback), {{value, file_origin(file, key)}}, out);
  };
  c.compiler = one("cxx.compiler", c.compiler, f.compiler);
  c.flags = one("cxx.flags", c.flags, f.flags);
  c.include_dirs = one("cxx.include_dirs", c.include_dirs, f.include_dirs);
  c.defines = one("cxx.defines", c.defines, f.defines);
  c.link_libraries = one("cxx.link_libraries", c.link_libraries, f.link_libraries);
  c.launcher = one("cxx.launcher", c.launcher, f.launcher);
  // One key sets both: a path, or a boolean that turns the lookup on or off.
  c.compile_commands = one("cxx.compile_commands", c.compile_commands, f.compile_commands);
  c.use_compile_commands = f.use_compile_commands.value_or(c.use_compile_commands);
  c.linker = one("cxx.linker", c.linker, f.linker);
  c.precompiled_header = one("cxx.precompiled_header", c.precompiled_header, f.precompiled_header);
  c.jobs = one("cxx.jobs", c.jobs, f.jobs);

  // A cache set for a shell (or a CI job) beats the project's own choice.
  std::optional<fs::path> env_cache;
  if (env.cache_dir) env_cache = (cwd / *env.cache_dir).lexically_normal();
  c.cache_dir = pick<fs::path>("cxx.cache_dir", c.cache_dir,
                               {{env_cache, env_origin("HOTMOD_CACHE_DIR")},
                                {f.cache_dir, file_origin(file, "cxx.cache_dir")}},
                               out);

  // The project file's folder is where its relative paths point, and so
  // where compile_commands.json is looked for.
  if (file_path) {
    c.project_dir = file_path->parent_path();
    out.origin["cxx.project_dir"] =
        fmt::format("the project file's folder ({})", file_path->string());
  } else {
    out.origin["cxx.project_dir"] = "default (the current folder)";
  }
}

}  // namespace hotmod::config
