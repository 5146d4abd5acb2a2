#include "compile/leading_includes.hpp"

#include <string_view>

namespace hotmod::compile {
namespace fs = std::filesystem;
namespace {

// The C++20 standard library's headers; its C headers (<cstdio>, <stdio.h>)
// are files under /usr/include or named here too.
constexpr std::string_view kStandard[] = {"algorithm",
                                          "any",
                                          "array",
                                          "atomic",
                                          "barrier",
                                          "bit",
                                          "bitset",
                                          "cassert",
                                          "cctype",
                                          "cerrno",
                                          "cfenv",
                                          "cfloat",
                                          "charconv",
                                          "chrono",
                                          "cinttypes",
                                          "climits",
                                          "clocale",
                                          "cmath",
                                          "codecvt",
                                          "compare",
                                          "complex",
                                          "concepts",
                                          "condition_variable",
                                          "coroutine",
                                          "csetjmp",
                                          "csignal",
                                          "cstdarg",
                                          "cstddef",
                                          "cstdint",
                                          "cstdio",
                                          "cstdlib",
                                          "cstring",
                                          "ctime",
                                          "cuchar",
                                          "cwchar",
                                          "cwctype",
                                          "deque",
                                          "exception",
                                          "execution",
                                          "expected",
                                          "filesystem",
                                          "format",
                                          "forward_list",
                                          "fstream",
                                          "functional",
                                          "future",
                                          "initializer_list",
                                          "iomanip",
                                          "ios",
                                          "iosfwd",
                                          "iostream",
                                          "istream",
                                          "iterator",
                                          "latch",
                                          "limits",
                                          "list",
                                          "locale",
                                          "map",
                                          "memory",
                                          "memory_resource",
                                          "mutex",
                                          "new",
                                          "numbers",
                                          "numeric",
                                          "optional",
                                          "ostream",
                                          "queue",
                                          "random",
                                          "ranges",
                                          "ratio",
                                          "regex",
                                          "scoped_allocator",
                                          "semaphore",
                                          "set",
                                          "shared_mutex",
                                          "source_location",
                                          "span",
                                          "sstream",
                                          "stack",
                                          "stdexcept",
                                          "stop_token",
                                          "streambuf",
                                          "string",
                                          "string_view",
                                          "syncstream",
                                          "system_error",
                                          "thread",
                                          "tuple",
                                          "type_traits",
                                          "typeindex",
                                          "typeinfo",
                                          "unordered_map",
                                          "unordered_set",
                                          "utility",
                                          "valarray",
                                          "variant",
                                          "vector",
                                          "version",
                                          "bits/stdc++.h",
                                          "cstdbool",
                                          "cstdalign"};

std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

bool is_library_header(const std::string& name) {
  if (name.empty() || name.find("..") != std::string::npos || name.front() == '/') return false;
  for (std::string_view s : kStandard)
    if (s == name) return true;
  std::error_code ec;
  for (const char* dir : {HOTMOD_INCLUDE_DIR, "/usr/include", "/usr/local/include"})
    if (fs::is_regular_file(fs::path(dir) / name, ec)) return true;
  return false;
}

std::vector<std::string> leading_library_includes(const std::string& text) {
  std::vector<std::string> out;
  bool in_comment = false;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t end = text.find('\n', pos);
    std::string_view line(text.data() + pos, (end == std::string::npos ? text.size() : end) - pos);
    pos = end == std::string::npos ? text.size() : end + 1;
    // Block comments, possibly over several lines or around a directive.
    std::string code;
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (in_comment) {
        if (line.compare(i, 2, "*/") == 0) in_comment = false, ++i;
      } else if (line.compare(i, 2, "/*") == 0) {
        in_comment = true, ++i;
      } else if (line.compare(i, 2, "//") == 0) {
        break;
      } else {
        code += line[i];
      }
    }
    std::string_view c = trim_blanks(code);
    if (c.empty()) continue;
    if (c.front() != '#') break;  // the first line of code
    c = trim_blanks(c.substr(1));
    if (c == "pragma once") continue;
    if (!c.starts_with("include")) break;  // #define, #if, ...: from here on, who knows
    c = trim_blanks(c.substr(7));
    if (c.size() < 3 || c.front() != '<' || c.find('>') != c.size() - 1) break;  // "quoted"
    const std::string name(c.substr(1, c.size() - 2));
    if (name == "hotmod/module.hpp") continue;
    if (!is_library_header(name)) break;
    bool seen = false;
    for (const std::string& o : out) seen = seen || o == name;
    if (!seen) out.push_back(name);
  }
  return out;
}

}  // namespace hotmod::compile
