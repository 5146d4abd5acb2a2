// glob_match() and default_excludes(): the pattern language of
// WatchOptions::include and ::exclude (see hotmod/watcher.hpp).
//
// Hand-written rather than fnmatch(3): fnmatch has no '**', and FNM_PATHNAME
// would still need the component splitting done here.
#include <string_view>
#include <vector>

#include "hotmod/watcher.hpp"

namespace hotmod {
namespace {

using Parts = std::vector<std::string_view>;

// Tries the class that opens at glob[at] == '[' against `c`. Returns false
// when the class is not closed (the '[' is then an ordinary character);
// otherwise sets `width` to its length and `hit` to whether `c` is in it.
bool match_class(std::string_view glob, std::size_t at, char c, std::size_t& width, bool& hit) {
  std::size_t i = at + 1;
  bool negate = i < glob.size() && (glob[i] == '!' || glob[i] == '^');
  if (negate) ++i;
  bool in = false;
  bool first = true;
  for (; i < glob.size() && (first || glob[i] != ']'); ++i, first = false) {
    char lo = glob[i];
    if (lo == '\\' && i + 1 < glob.size()) lo = glob[++i];
    char hi = lo;
    if (i + 2 < glob.size() && glob[i + 1] == '-' && glob[i + 2] != ']') {
      hi = glob[i + 2];
      i += 2;
    }
    if (lo <= c && c <= hi) in = true;
  }
  if (i >= glob.size()) return false;
  width = i + 1 - at;
  hit = in != negate;
  return true;
}

// Whether the glob character(s) at glob[at] match `c`; `width` is how many
// glob characters that took.
bool match_char(std::string_view glob, std::size_t at, char c, std::size_t& width) {
  width = 1;
  switch (glob[at]) {
    case '?':
      return true;
    case '[': {
      bool hit = false;
      if (match_class(glob, at, c, width, hit)) return hit;
      return c == '[';
    }
    case '\\':
      if (at + 1 < glob.size()) {
        width = 2;
        return glob[at + 1] == c;
      }
      return c == '\\';
    default:
      return glob[at] == c;
  }
}

// One path component against one glob component: '*' matches any run
// (there is no '/' inside a component), with the usual single backtrack
// point, which is enough because a later '*' supersedes an earlier one.
bool match_component(std::string_view glob, std::string_view text) {
  std::size_t g = 0;
  std::size_t t = 0;
  std::size_t star_g = std::string_view::npos;
  std::size_t star_t = 0;
  while (t < text.size()) {
    if (g < glob.size() && glob[g] == '*') {
      star_g = ++g;
      star_t = t;
      continue;
    }
    std::size_t width = 0;
    if (g < glob.size() && match_char(glob, g, text[t], width)) {
      g += width;
      ++t;
      continue;
    }
    if (star_g == std::string_view::npos) return false;
    g = star_g;
    t = ++star_t;
  }
  while (g < glob.size() && glob[g] == '*') ++g;
  return g == glob.size();
}

Parts split(std::string_view text) {
  Parts parts;
  while (!text.empty()) {
    std::size_t slash = text.find('/');
    std::string_view part = text.substr(0, slash);
    if (!part.empty()) parts.push_back(part);
    if (slash == std::string_view::npos) break;
    text.remove_prefix(slash + 1);
  }
  return parts;
}

// Components against components; a "**" component matches any number of
// path components, including none ("a/**/b" matches "a/b"), except at the
// end, where it means "everything inside" ("a/**" does not match "a").
bool match_parts(const Parts& glob, std::size_t g, const Parts& path, std::size_t p) {
  for (; g < glob.size(); ++g, ++p) {
    if (glob[g] == "**") {
      if (g + 1 == glob.size()) return p < path.size();
      for (std::size_t skip = p; skip <= path.size(); ++skip)
        if (match_parts(glob, g + 1, path, skip)) return true;
      return false;
    }
    if (p >= path.size() || !match_component(glob[g], path[p])) return false;
  }
  return p == path.size();
}

}  // namespace

bool glob_match(std::string_view glob, std::string_view relative) {
  while (!glob.empty() && glob.back() == '/') glob.remove_suffix(1);  // "build/" = "build"
  while (!relative.empty() && relative.back() == '/') relative.remove_suffix(1);
  if (glob.empty()) return false;
  if (glob.find('/') == std::string_view::npos) {
    // No '/': the last component, at any depth (as in .gitignore).
    std::size_t slash = relative.rfind('/');
    std::string_view last = slash == std::string_view::npos ? relative : relative.substr(slash + 1);
    return match_component(glob, last);
  }
  return match_parts(split(glob), 0, split(relative), 0);
}

std::vector<std::string> default_excludes() {
  return {".git",  ".hg",   ".svn", "build", "cmake-build-*", "CMakeFiles", "*.swp",
          "*.swo", "*.swx", "*~",   ".#*",   "#*#",           "4913",       "*.tmp"};
}

}  // namespace hotmod
