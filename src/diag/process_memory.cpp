#include "diag/process_memory.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <string_view>
#include <system_error>

namespace hotmod::diag {

namespace {

constexpr std::string_view kDeleted = " (deleted)";

// The unsigned number at the start of `s` after any blanks, or nothing.
bool parse_number(std::string_view& s, std::uint64_t& out, int base = 10) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
  if (ec != std::errc() || end == s.data()) return false;
  s.remove_prefix(static_cast<std::size_t>(end - s.data()));
  return true;
}

// Skips the blanks and then one space-separated field; false when there is
// no field left.
bool skip_field(std::string_view& s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  if (s.empty()) return false;
  s.remove_prefix(std::min(s.find(' '), s.size()));
  return true;
}

// One line of /proc/self/maps:
//   start-end perms offset dev inode          pathname
// The pathname starts after the padding that follows the inode and runs to
// the end of the line, spaces included (the kernel escapes only newlines).
struct MapsLine {
  std::uint64_t size = 0;
  std::string_view path;  // "" for anonymous mappings
};

bool parse_maps_line(std::string_view line, MapsLine& out) {
  std::uint64_t start = 0;
  std::uint64_t end = 0;
  if (!parse_number(line, start, 16) || line.empty() || line.front() != '-') return false;
  line.remove_prefix(1);
  if (!parse_number(line, end, 16) || end < start) return false;
  for (int i = 0; i < 4; ++i)  // perms, offset, dev, inode
    if (!skip_field(line)) return false;
  // One space ends the inode; the rest pads the pathname into a column.
  while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
  if (line.size() >= kDeleted.size() && line.substr(line.size() - kDeleted.size()) == kDeleted)
    line.remove_suffix(kDeleted.size());
  out.size = end - start;
  out.path = line;
  return true;
}

// Calls fn(MapsLine) for every well-formed line of /proc/self/maps.
template <class Fn>
void for_each_mapping(Fn&& fn) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  MapsLine parsed;
  while (std::getline(maps, line))
    if (parse_maps_line(line, parsed)) fn(parsed);
}

// The value of the first line of `file` that starts with `key`.
std::uint64_t read_keyed(const char* file, std::string_view key) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    std::string_view rest = line;
    if (rest.substr(0, key.size()) != key) continue;
    rest.remove_prefix(key.size());
    std::uint64_t value = 0;
    return parse_number(rest, value) ? value : 0;
  }
  return 0;
}

}  // namespace

std::uint64_t process_rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size_pages = 0;
  std::uint64_t resident_pages = 0;
  if (!(statm >> size_pages >> resident_pages)) return 0;
  const long page = ::sysconf(_SC_PAGESIZE);
  return page > 0 ? resident_pages * static_cast<std::uint64_t>(page) : 0;
}

std::uint64_t available_memory_bytes() {
  return read_keyed("/proc/meminfo", "MemAvailable:") * 1024;  // the kernel writes kB
}

std::uint64_t mapped_bytes(const std::filesystem::path& file) {
  std::error_code ec;
  std::filesystem::path resolved = std::filesystem::weakly_canonical(file, ec);
  const std::string wanted = ec ? file.string() : resolved.string();
  std::uint64_t total = 0;
  for_each_mapping([&](const MapsLine& m) {
    if (m.path == wanted) total += m.size;
  });
  return total;
}

std::map<std::string, std::uint64_t> mapped_bytes_by_file() {
  std::map<std::string, std::uint64_t> totals;
  for_each_mapping([&](const MapsLine& m) {
    // Files are absolute; "[heap]", "[vdso]" and anonymous ranges are not.
    if (!m.path.empty() && m.path.front() == '/') totals[std::string(m.path)] += m.size;
  });
  return totals;
}

}  // namespace hotmod::diag
