#include "config/cxx_keys.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "config/schema_values.hpp"
#include "config/text_values.hpp"

namespace hotmod::config::cxx_keys {
namespace fs = std::filesystem;
namespace {

// An empty entry in a list of flags or names is a leftover, never meant:
// passed on, it would be an empty argument the compiler reads as a file.
std::string empty_entry(const Use& u, const std::vector<std::string>& list) {
  if (std::find(list.begin(), list.end(), std::string()) == list.end()) return {};
  return fmt::format("{} holds an empty string; remove it", in_quotes(u.key));
}

bool has_space(std::string_view text) {
  return text.find_first_of(" \t") != std::string_view::npos;
}

// A library given by its file ("lib/libfoo.a") or a folder to search
// ("-Llib") is the project's, so relative ones are the file's folder's;
// "m" and "-lm" are names the linker looks up and stay as written.
std::string library(const fs::path& folder, const std::string& entry) {
  if (entry.starts_with("-L") && entry.size() > 2)
    return "-L" + resolve(folder, entry.substr(2)).string();
  if (entry.starts_with("-") || entry.find('/') == std::string::npos) return entry;
  return resolve(folder, entry).string();
}

}  // namespace

// A compiler named by a relative path ("tools/bin/clang++") is the
// project's, found from the file's folder; a bare name is looked up in PATH
// and a value with words ("ccache g++") is left to the builder to split.
std::string compiler(const Use& u, FileSettings& out) {
  const auto& text = u.value.get_ref<const std::string&>();
  if (text.find_first_not_of(" \t") == std::string::npos)
    return fmt::format(
        "{} is empty; name a compiler (\"g++\", \"clang++\") or remove the key to use $CXX, "
        "else c++",
        in_quotes(u.key));
  const bool relative_path =
      text.find('/') != std::string::npos && !has_space(text) && fs::path(text).is_relative();
  out.cxx.compiler = relative_path ? resolve(u.folder, text).string() : text;
  return {};
}

// Passed as written: compiles run in cxx.project_dir (this file's folder),
// so a relative folder inside a flag ("-Iinclude") is taken from there.
std::string flags(const Use& u, FileSettings& out) {
  auto list = strings_of(u.value);
  if (auto problem = empty_entry(u, list); !problem.empty()) return problem;
  out.cxx.flags = std::move(list);
  return {};
}

std::string include_dirs(const Use& u, FileSettings& out) {
  std::vector<fs::path> dirs;
  for (const std::string& d : strings_of(u.value)) {
    if (d.empty())
      return fmt::format("{} holds an empty path; remove it or name a folder", in_quotes(u.key));
    dirs.push_back(resolve(u.folder, d));
  }
  out.cxx.include_dirs = std::move(dirs);
  return {};
}

std::string defines(const Use& u, FileSettings& out) {
  auto list = strings_of(u.value);
  if (auto problem = empty_entry(u, list); !problem.empty()) return problem;
  for (const std::string& d : list) {
    if (d.starts_with("-D"))
      return fmt::format("{} holds {}; write it without -D: \"{}\"", in_quotes(u.key), in_quotes(d),
                         d.substr(2));
    if (d.front() == '=')
      return fmt::format("{} holds {}, which names no macro; write \"NAME\" or \"NAME=VALUE\"",
                         in_quotes(u.key), in_quotes(d));
  }
  out.cxx.defines = std::move(list);
  return {};
}

std::string link_libraries(const Use& u, FileSettings& out) {
  auto list = strings_of(u.value);
  if (auto problem = empty_entry(u, list); !problem.empty()) return problem;
  for (std::string& entry : list) entry = library(u.folder, entry);
  out.cxx.link_libraries = std::move(list);
  return {};
}

// May hold arguments ("distcc -j8"); "" runs the compiler directly.
std::string launcher(const Use& u, FileSettings& out) {
  out.cxx.launcher = u.value.get<std::string>();
  return {};
}

// A path names the file; true looks for one (the default), false uses none.
std::string compile_commands(const Use& u, FileSettings& out) {
  if (u.value.is_boolean()) {
    out.cxx.use_compile_commands = u.value.get<bool>();
    out.cxx.compile_commands = fs::path();
    return {};
  }
  const auto& text = u.value.get_ref<const std::string&>();
  if (text.empty())
    return fmt::format(
        "{} is empty; name the file (\"build/compile_commands.json\"), or write false to use "
        "none",
        in_quotes(u.key));
  out.cxx.compile_commands = resolve(u.folder, text);
  out.cxx.use_compile_commands = true;
  return {};
}

std::string cache_dir(const Use& u, FileSettings& out) {
  const auto& text = u.value.get_ref<const std::string&>();
  if (text.empty())
    return fmt::format("{} is empty; name a folder or remove the key", in_quotes(u.key));
  out.cxx.cache_dir = resolve(u.folder, text);
  return {};
}

std::string linker(const Use& u, FileSettings& out) {
  const auto& text = u.value.get_ref<const std::string&>();
  if (text != "auto" && text != "mold" && text != "lld" && text != "default")
    return must_be_one_of(u.key, text, kLinkers);
  out.cxx.linker = text;
  return {};
}

std::string precompiled_header(const Use& u, FileSettings& out) {
  out.cxx.precompiled_header = u.value.get<bool>();
  return {};
}

std::string jobs(const Use& u, FileSettings& out) {
  const auto n = u.value.get<std::uint64_t>();
  if (n > kMaxJobs)
    return fmt::format("{} is {}; use at most {}, or 0 for one per core", in_quotes(u.key), n,
                       kMaxJobs);
  out.cxx.jobs = static_cast<unsigned>(n);
  return {};
}

}  // namespace hotmod::config::cxx_keys
