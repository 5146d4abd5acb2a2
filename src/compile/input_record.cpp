#include "compile/input_record.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "compile/content_hash.hpp"

namespace hotmod::compile {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kHeader = "hotmod inputs 3";
constexpr std::string_view kUnknownHash = "-";

struct FileStamp {
  std::int64_t size = -1;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};

FileStamp stamp_of(const struct stat& st) {
  return {static_cast<std::int64_t>(st.st_size),
          static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec,
          static_cast<std::int64_t>(st.st_ctim.tv_sec) * 1000000000LL + st.st_ctim.tv_nsec};
}

FileStamp stamp_of_fd(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 ? stamp_of(st) : FileStamp{};
}

FileStamp stamp_of_path(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? stamp_of(st) : FileStamp{};
}

// Splits off the text up to the next space (or the end).
std::string_view next_word(std::string_view* rest) {
  const std::size_t space = rest->find(' ');
  const std::string_view word = rest->substr(0, space);
  rest->remove_prefix(space == std::string_view::npos ? rest->size() : space + 1);
  return word;
}

template <typename Int>
bool parse_int(std::string_view word, Int* out) {
  const auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), *out);
  return ec == std::errc() && end == word.data() + word.size();
}

// Reads lines off the front of a text.
class Lines {
 public:
  explicit Lines(std::string_view text) : rest_(text) {}
  bool next(std::string_view* line) {
    if (rest_.empty()) return false;
    const std::size_t end = rest_.find('\n');
    if (end == std::string_view::npos) return false;  // a last line cut short
    *line = rest_.substr(0, end);
    rest_.remove_prefix(end + 1);
    return true;
  }
  bool done() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

std::optional<InputRecord> parse_input(std::string_view line) {
  InputRecord in;
  const std::string_view hash = next_word(&line);
  if (hash.empty() || !parse_int(next_word(&line), &in.size) ||
      !parse_int(next_word(&line), &in.mtime_ns) || !parse_int(next_word(&line), &in.ctime_ns) ||
      line.empty())
    return std::nullopt;
  if (hash != kUnknownHash) in.hash = hash;
  in.path = line;
  return in;
}

}  // namespace

std::vector<InputRecord> record_inputs(const std::vector<fs::path>& inputs,
                                       std::int64_t started_ns) {
  std::vector<InputRecord> recorded;
  recorded.reserve(inputs.size());
  for (const fs::path& input : inputs) {
    InputRecord r;
    r.path = input.string();
    // Stat, hash and stat again through one descriptor: a save landing in
    // between must not pair the old identity with the new contents.
    const int fd = ::open(input.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      const FileStamp before = stamp_of_fd(fd);
      r.hash = hash_fd(fd).value_or(std::string());
      const FileStamp after = stamp_of_fd(fd);
      ::close(fd);
      r.size = before.size;
      r.mtime_ns = before.mtime_ns;
      r.ctime_ns = before.ctime_ns;
      if (!(after == before)) r.hash.clear();
    }
    // Edited while the compiler ran (or stamped in the future by another
    // machine's clock): the build may hold the old contents.
    if (r.size < 0 || r.mtime_ns >= started_ns) r.hash.clear();
    // A newline would end the line early; spaces are fine (the path is last).
    if (r.path.find('\n') != std::string::npos) r.hash.clear();
    recorded.push_back(std::move(r));
  }
  return recorded;
}

bool complete(const std::vector<InputRecord>& inputs) {
  for (const InputRecord& in : inputs)
    if (in.hash.empty()) return false;
  return true;
}

std::string format_builds(const std::vector<RecordedBuild>& builds) {
  std::string out;
  std::size_t lines = 1;
  for (const RecordedBuild& b : builds) lines += 1 + b.inputs.size();
  out.reserve(lines * 100);  // a hash, two numbers and a path
  out.append(kHeader).push_back('\n');
  for (const RecordedBuild& b : builds) {
    fmt::format_to(std::back_inserter(out), "build {} {}\n", b.key, b.inputs.size());
    for (const InputRecord& in : b.inputs) {
      const bool known = !in.hash.empty() && in.path.find('\n') == std::string::npos;
      fmt::format_to(std::back_inserter(out), "{} {} {} {} {}\n", known ? in.hash : kUnknownHash,
                     in.size, in.mtime_ns, in.ctime_ns, known ? in.path : "?");
    }
  }
  return out;
}

std::optional<std::vector<RecordedBuild>> parse_builds(std::string_view text) {
  Lines lines(text);
  std::string_view line;
  if (!lines.next(&line) || line != kHeader) return std::nullopt;
  std::vector<RecordedBuild> builds;
  while (lines.next(&line)) {
    if (next_word(&line) != "build") return std::nullopt;
    RecordedBuild b;
    b.key = next_word(&line);
    std::size_t count = 0;
    if (b.key.empty() || !parse_int(line, &count)) return std::nullopt;
    b.inputs.reserve(std::min<std::size_t>(count, 4096));  // the count may lie
    for (std::size_t i = 0; i < count; ++i) {
      std::optional<InputRecord> in;
      if (!lines.next(&line) || !(in = parse_input(line))) return std::nullopt;
      b.inputs.push_back(std::move(*in));
    }
    builds.push_back(std::move(b));
  }
  if (!lines.done()) return std::nullopt;
  return builds;
}

bool InputChecker::matches(const InputRecord& input) {
  if (input.hash.empty()) return false;
  const FileStamp now = stamp_of_path(input.path);
  if (now.size < 0) return false;
  if (now == FileStamp{input.size, input.mtime_ns, input.ctime_ns}) return true;
  auto it = hashes_.find(input.path);
  if (it == hashes_.end())
    it = hashes_.emplace(input.path, hash_file(input.path).value_or(std::string())).first;
  return it->second == input.hash;
}

bool InputChecker::all_match(const std::vector<InputRecord>& inputs) {
  for (const InputRecord& in : inputs)
    if (!matches(in)) return false;
  return true;
}

std::vector<fs::path> paths_of(const std::vector<InputRecord>& inputs) {
  std::vector<fs::path> out;
  out.reserve(inputs.size());
  for (const InputRecord& in : inputs) out.emplace_back(in.path);
  return out;
}

}  // namespace hotmod::compile
