#include "compile/pch.hpp"
#include "compile/wall_clock.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>

#include "compile/content_hash.hpp"
#include "compile/depfile.hpp"
#include "compile/input_record.hpp"
#include "process/run.hpp"
#include "text/file_lock.hpp"
#include "text/read_file.hpp"

namespace hotmod::compile {
namespace fs = std::filesystem;
namespace {

// What every PCH holds: hotmod's header, and then only the module's own
// library headers. Every header more is time on every compile: GCC's PCH
// loads in time proportional to its size and instantiates its pending
// templates again in each file (an empty file with <functional> and
// <memory> precompiled besides <map>, <string> and <vector> takes 1.7
// times as long).
constexpr const char* kBase =
    "// Precompiled by hotmod for source modules.\n"
    "#include <hotmod/module.hpp>\n";

// The base, then the module's own leading library includes.
std::string header_text(const std::vector<std::string>& headers) {
  std::string text = kBase;
  for (const std::string& h : headers) text += "#include <" + h + ">\n";
  return text;
}

bool write_text(const fs::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

// The PCH's inputs, as input_record.hpp writes them: one build, "pch".
constexpr const char* kInputsFile = "inputs";

}  // namespace

fs::path pch_dir(const Toolchain& tc, const std::vector<std::string>& flags,
                 const std::vector<std::string>& headers, const fs::path& cache_root) {
  KeyHasher key;
  key.add(tc.identity).add(header_text(headers));
  for (const std::string& f : flags) key.add(f);
  return cache_root / "v1" / "pch" / key.hex();
}

std::optional<Pch> pch_text(const Toolchain& tc, const std::vector<std::string>& flags,
                            const std::vector<std::string>& headers, const fs::path& cache_root) {
  // Its own name: GCC would take a hotmod_pch.hpp.gch beside it, maybe one
  // being replaced because the headers it was built from changed.
  const fs::path header = pch_dir(tc, flags, headers, cache_root) / "hotmod_pch_text.hpp";
  std::error_code ec;
  if (!fs::exists(header, ec)) {
    fs::create_directories(header.parent_path(), ec);
    const fs::path tmp = header.string() + ".tmp" + std::to_string(now_ns());
    if (!write_text(tmp, header_text(headers))) return std::nullopt;
    // Linked, not renamed over: a compile in another process may be reading
    // it, and a newer mtime would make its build look edited meanwhile.
    const bool linked = ::link(tmp.c_str(), header.c_str()) == 0 || errno == EEXIST;
    fs::remove(tmp, ec);
    if (!linked) return std::nullopt;
  }
  // The compiler's depfile names the headers it read: no inputs of its own.
  return Pch{{"-include", header.string()}, {}};
}

PchOutcome ensure_pch(const Toolchain& tc, const std::vector<std::string>& flags,
                      const std::vector<std::string>& headers, const fs::path& cache_root,
                      const std::atomic<bool>* cancel, std::chrono::nanoseconds limit,
                      PchWait wait) {
  PchOutcome out;
  const fs::path dir = pch_dir(tc, flags, headers, cache_root);
  const fs::path header = dir / "hotmod_pch.hpp";
  const bool clang = tc.family == CompilerFamily::clang;
  const fs::path pch = header.string() + (clang ? ".pch" : ".gch");
  // clang checks the PCH's headers by mtime unless told to compare contents:
  // a touched but unchanged header would fail every compile.
  const std::vector<std::string> by_content = {"-fpch-validate-input-files-content"};
  if (clang) {
    out.pch.use_flags = {"-include-pch", pch.string()};
    out.pch.use_flags.insert(out.pch.use_flags.end(), by_content.begin(), by_content.end());
  } else  // GCC finds hotmod_pch.hpp.gch next to the header; -Winvalid-pch says why it did not
    out.pch.use_flags = {"-include", header.string(), "-Winvalid-pch"};

  std::error_code ec;
  auto built_already = [&] {
    const std::optional<std::vector<RecordedBuild>> recorded =
        parse_builds(text::read_whole_file(dir / kInputsFile).value_or(""));
    if (!recorded || recorded->size() != 1 || recorded->front().inputs.empty() ||
        !fs::exists(pch, ec) || !InputChecker().all_match(recorded->front().inputs))
      return false;
    out.ok = true;
    out.pch.inputs = paths_of(recorded->front().inputs);
    return true;
  };
  if (built_already() || wait == PchWait::find_only) return out;

  // One builder at a time: processes sharing the cache that found no PCH
  // wait for the first to build it and use that one. Two builds would each
  // rename theirs into place, and a compile cached (by ccache) against the
  // first would never match again: the compiler's output differs each time.
  fs::create_directories(dir, ec);
  std::string busy;
  std::optional<text::FileLock> lock =
      wait == PchWait::unless_busy
          ? text::FileLock::acquire(dir / "build.lock", cancel, std::chrono::nanoseconds(1), &busy)
          : text::FileLock::acquire(dir / "build.lock", cancel, limit, &busy);
  if (!lock && wait == PchWait::unless_busy && busy.find("held the lock") != std::string::npos)
    return out;  // the other process builds it
  if (!lock) {
    out.error = fmt::format("building the precompiled header: {}", busy);
    return out;
  }
  if (built_already()) return out;

  // Built under a private name, then renamed into place: compiles running
  // in other processes keep reading the old one.
  if (!fs::exists(header, ec)) {
    const fs::path tmp = header.string() + ".tmp" + std::to_string(now_ns());
    if (!write_text(tmp, header_text(headers))) {
      out.error = fmt::format("cannot write '{}'", header.string());
      return out;
    }
    fs::rename(tmp, header, ec);
  }
  const std::string stamp = std::to_string(now_ns());
  const fs::path tmp_pch = pch.string() + ".tmp" + stamp;
  const fs::path dep = dir / ("pch.d.tmp" + stamp);
  // Without the launcher: a PCH is built once per flag set anyway.
  std::vector<std::string> args{tc.compiler.string()};
  args.insert(args.end(), flags.begin(), flags.end());
  if (clang) {
    args.insert(args.end(), by_content.begin(), by_content.end());
    // Instantiate in the PCH what its headers' inline code needs, instead of
    // again at the end of every module using it (most of a small module's
    // compile: nlohmann::json's own inline functions instantiate its parser).
    args.push_back("-fpch-instantiate-templates");
  }
  args.insert(args.end(), {"-x", "c++-header", header.string(), "-o", tmp_pch.string(), "-MD",
                           "-MF", dep.string()});
  const std::int64_t started = now_ns();
  process::Outcome run = process::run({args, dir}, cancel, limit);
  if (!run.ok()) {
    fs::remove(tmp_pch, ec);
    fs::remove(dep, ec);
    out.error =
        fmt::format("building the precompiled header failed ({}): {}", run.describe(), run.output);
    return out;
  }
  std::string why;
  std::optional<std::vector<fs::path>> deps = read_depfile(dep, dir, &why);
  fs::remove(dep, ec);
  if (!deps) {
    fs::remove(tmp_pch, ec);
    out.error = fmt::format("reading the precompiled header's depfile failed: {}", why);
    return out;
  }
  fs::rename(tmp_pch, pch, ec);
  if (ec) {
    out.error =
        fmt::format("cannot move the precompiled header into '{}': {}", dir.string(), ec.message());
    return out;
  }
  const std::vector<RecordedBuild> inputs = {{"pch", record_inputs(*deps, started)}};
  const fs::path tmp_inputs = dir / (std::string(kInputsFile) + ".tmp" + stamp);
  if (write_text(tmp_inputs, format_builds(inputs))) fs::rename(tmp_inputs, dir / kInputsFile, ec);
  out.ok = true;
  out.built = true;
  out.pch.inputs = *deps;
  return out;
}

}  // namespace hotmod::compile
