// What hotmod.json may hold: one table of keys, each with its expected type
// and the handler that stores it (config_schema.cpp), and the walk that
// checks a parsed file against it (schema_walk.cpp). Adding a setting means
// adding a row to the table and a member to FileSettings; the walk, which
// checks types and warns about unknown keys, needs no change.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/json_lines.hpp"
#include "hotmod/config.hpp"

namespace hotmod::config {

// The `cxx` section: how source modules are compiled. Only the project file
// gives these (HOTMOD_CACHE_DIR aside), so they live here, not in ConfigLayer.
struct CxxSettings {
  std::optional<std::string> compiler;
  std::optional<std::vector<std::string>> flags;
  std::optional<std::vector<std::filesystem::path>> include_dirs;
  std::optional<std::vector<std::string>> defines;
  std::optional<std::vector<std::string>> link_libraries;
  std::optional<std::string> launcher;
  // `"compile_commands": false` sets this to "" and use_compile_commands to false.
  std::optional<std::filesystem::path> compile_commands;
  std::optional<bool> use_compile_commands;
  std::optional<std::filesystem::path> cache_dir;
  std::optional<std::string> linker;
  std::optional<bool> precompiled_header;
  std::optional<unsigned> jobs;
};

// Everything the project file gave, paths already resolved against its folder.
struct FileSettings {
  ConfigLayer layer;  // the settings other layers can give too
  std::optional<CommitPolicy> commit;
  std::optional<RuntimeOptions::Containment> contain_crashes;
  std::optional<std::filesystem::path> versions_dir;
  std::optional<std::filesystem::path> state_dir;
  std::optional<std::vector<std::string>> capabilities;  // granted to every module
  std::map<std::string, std::vector<std::string>, std::less<>> module_capabilities;
  // "library", "source", "script", "scan" -> ms (performance.slow_ms).
  std::map<std::string, double, std::less<>> slow_ms;
  // "build_s", "compile_s", "hook_s", "pinned_call_s", "retired_code_s",
  // "retired_code_mb", "script_instructions", "script_memory_mb" (limits).
  std::map<std::string, std::uint64_t, std::less<>> limits;
  std::optional<std::filesystem::path> trace_file;
  std::vector<std::string> watch_exclude;
  std::map<std::string, Value, std::less<>> module_config;
  std::map<std::string, RuntimeOptions::BuildRule, std::less<>> builds;
  CxxSettings cxx;
  // Setting name ("dev_mode", "watch.backend") -> "/p/hotmod.json:3".
  std::map<std::string, std::string, std::less<>> origin;
};

enum class Type {
  boolean,
  millis,           // a whole number >= 0
  positive_millis,  // a whole number >= 1
  count,            // a whole number >= 0 (not a duration)
  string,
  path_or_switch,  // a string, or a boolean that turns the lookup on or off
  strings,         // an array of strings
  grants,          // an array of strings, or an object of arrays checked by the rows below
  object,          // checked key by key against the rows below it
  any,             // free-form: not looked into (a module's own config)
};

// What a handler sees of one key.
struct Use {
  const Value& value;
  std::string_view key;                 // dotted, for messages: "watch.backend"
  std::string_view where;               // "/p/hotmod.json:12"
  std::string_view name;                // what the pattern's "*" matched: the module name
  const std::filesystem::path& folder;  // the file's folder, for relative paths
};

// Stores the value; returns what is wrong with it ("" when nothing). Runs
// only once the value has the row's type.
using Handler = std::string (*)(const Use&, FileSettings&);

struct Rule {
  std::string_view pattern;  // JSON pointer; "*" matches any one key
  Type type;
  std::string_view example;  // a correct value, shown with type errors
  Handler apply;             // nullptr: a container, only checked and descended
  std::string_view setting;  // its name in LoadedConfig::origin, if any
};

// Every key hotmod.json may hold; a key no row matches is unknown.
std::span<const Rule> schema_rules();

// A rule between keys ("sources" needs "build"), found after the walk.
struct CrossKeyProblem {
  std::string pointer;  // where to point: "/modules/physics/sources"
  std::string message;
};
std::vector<CrossKeyProblem> cross_key_problems(const Value& root);

// A message about one place in the file.
struct Diagnostic {
  int line = 0;
  std::string message;  // "/p/hotmod.json:3: ..." (already prefixed)
};

struct SchemaOutcome {
  std::vector<Diagnostic> errors;    // wrong types, bad values: the file is refused
  std::vector<Diagnostic> warnings;  // unknown or duplicated keys: reported, ignored
};

// Checks `root` (the parsed file) against the schema and stores what it
// gives in `out`. `file` names the file in messages; relative paths are
// resolved against its folder. Messages come sorted by line.
SchemaOutcome apply_schema(const Value& root, const KeyLines& lines,
                           const std::filesystem::path& file, FileSettings& out);

}  // namespace hotmod::config
