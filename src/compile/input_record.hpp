// What a build read, and whether it still holds: each input file's path,
// size, nanosecond mtime and ctime and content hash, kept as a text file of
// one line per input (a cached build's inputs, a precompiled header's).
//
//   hotmod inputs 3
//   build <key> <count>
//   <hash or -> <size> <mtime_ns> <ctime_ns> <path>      (count lines)
//   build <key> <count>
//   ...
//
// A line per input, not JSON: a fresh process finding a cached module reads
// this before anything else, and nlohmann::json took 0.7 ms to parse the 174
// inputs of a small module (most of them the standard headers its
// precompiled header read) where this takes a tenth of that. ninja's logs
// and ccache's manifests are their own formats for the same reason. The path comes last so that
// spaces need no quoting; a path holding a newline is recorded with an unknown hash and never
// matches.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hotmod::compile {

struct InputRecord {
  std::string path;
  std::int64_t size = -1;
  std::int64_t mtime_ns = 0;
  // Besides the mtime: `cp -p`, `rsync -t` and `tar` bring back a file's old
  // mtime with other contents, but not its ctime (as ccache checks too).
  std::int64_t ctime_ns = 0;
  std::string hash;  // empty: unknown contents, never matches
};

struct RecordedBuild {
  std::string key;
  std::vector<InputRecord> inputs;
};

// Records `inputs` now; an input modified at or after `started_ns` (wall
// clock) was edited while the compiler ran and gets an unknown hash. File
// times come from the kernel's coarse clock: a write in the build's first
// tick (1-10 ms) can look older than the build, as in ccache; a margin of a
// tick would keep every build of a file saved just before it out of the
// cache.
std::vector<InputRecord> record_inputs(const std::vector<std::filesystem::path>& inputs,
                                       std::int64_t started_ns);

// True when every input is recorded with a known hash.
bool complete(const std::vector<InputRecord>& inputs);

std::string format_builds(const std::vector<RecordedBuild>& builds);
// nullopt for a text of another shape (an older version, a hand edit,
// a truncated file): the caller treats it as holding no builds.
std::optional<std::vector<RecordedBuild>> parse_builds(std::string_view text);

// Answers "does this input still hold what was recorded?": trusts a
// recorded hash while the file's size, mtime and ctime are unchanged (as ccache's
// direct mode does) and hashes each changed file at most once.
class InputChecker {
 public:
  bool matches(const InputRecord& input);
  bool all_match(const std::vector<InputRecord>& inputs);

 private:
  std::map<std::string, std::string, std::less<>> hashes_;
};

std::vector<std::filesystem::path> paths_of(const std::vector<InputRecord>& inputs);

}  // namespace hotmod::compile
