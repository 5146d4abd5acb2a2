// Reading a project's compile_commands.json, so a source module is compiled
// with the include folders, defines and standard the rest of the project
// uses, without the user repeating them for hotmod.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hotmod/value.hpp"

namespace hotmod::compile {

class CompileDatabase {
 public:
  // Reads and checks `file`. Errors (stage "build") name the file, and
  // path:line:col for text that is not JSON. An entry's relative
  // "directory" is taken against the folder of `file`.
  static Result<CompileDatabase> load(const std::filesystem::path& file);

  // The flags that matter to compile `source` the way the project does:
  // include folders (-I, -isystem, -iquote, -idirafter), defines (-D, -U),
  // -std= and -include FILE, in the order given, paths made absolute against
  // the entry's "directory". Include folders come back as "-I/abs" or
  // {"-isystem", "/abs"}, defines as "-DNAME=VALUE".
  // Taken from the entry for `source` itself (paths compared absolute and
  // normalised; a relative `source` is taken against the current folder),
  // else from the entry whose file shares the longest folder prefix with
  // it, ties going to the same extension, then to the first in the file: a
  // new file in a folder compiles like its neighbours. nullopt when the
  // database has no entries.
  std::optional<std::vector<std::string>> flags_for(const std::filesystem::path& source) const;

  const std::filesystem::path& path() const { return path_; }
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::filesystem::path file;       // absolute, normalised
    std::filesystem::path directory;  // absolute, normalised
    std::vector<std::string> args;    // argv, the compiler first
  };
  std::filesystem::path path_;
  std::vector<Entry> entries_;
};

// The compile_commands.json for a project: in `start` itself (its folder
// when it is a file), then start/build, then start/build/*/ (CMake presets'
// binary folders; the newest file wins), then the same in each parent
// folder, stopping after the folder that holds .git or hotmod.json. nullopt
// when there is none.
std::optional<std::filesystem::path> find_compile_database(const std::filesystem::path& start);

// A "command" string split into argv the way /bin/sh would split it:
// whitespace separates, '...' is literal, "..." keeps spaces and lets a
// backslash escape $ ` " \ and newline, a backslash outside quotes escapes
// the next character.
std::vector<std::string> split_command_line(std::string_view command);

// The flags of `args` (argv, the compiler first) that flags_for returns,
// relative paths made absolute against `directory`.
std::vector<std::string> project_flags(const std::vector<std::string>& args,
                                       const std::filesystem::path& directory);

}  // namespace hotmod::compile
