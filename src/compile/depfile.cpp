#include "compile/depfile.hpp"
#include "text/read_file.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <unordered_set>

namespace hotmod::compile {
namespace fs = std::filesystem;
namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}

// Make's grammar as compilers use it, one character at a time. A logical
// line is "targets: prerequisites"; backslash-newline joins physical lines.
class DepfileParser {
 public:
  DepfileParser(std::string_view text, const fs::path& base_dir) : text_(text), base_(base_dir) {}

  bool run(std::string* error) {
    bool ok = true;
    while (ok && i_ < text_.size()) ok = step();
    if (ok) {
      finish_token();
      ok = end_line();
    }
    if (!ok && error) *error = error_;
    return ok;
  }

  std::vector<fs::path> take() { return std::move(out_); }

 private:
  // Consumes at least one character; false once an error is recorded.
  bool step() {
    const char c = text_[i_];
    if (c == '\\') return backslashes();
    if (c == '$') {
      cur_ += '$';
      i_ += at(i_ + 1) == '$' ? 2 : 1;
      return true;
    }
    if (is_blank(c)) {
      finish_token();
      ++i_;
      return true;
    }
    if (c == '\n') {
      finish_token();
      ++i_;
      const bool ok = end_line();
      ++line_;
      return ok;
    }
    if (c == ':' && in_targets_ && ends_token(i_ + 1)) {
      finish_token();
      in_targets_ = false;
      ++i_;
      return true;
    }
    if (c == '#' && cur_.empty()) {
      // A comment: compilers write none, but make allows them.
      while (i_ < text_.size() && text_[i_] != '\n') ++i_;
      return true;
    }
    cur_ += c;
    ++i_;
    return true;
  }

  // gcc escapes a space in a path as "\ " and '#' as "\#"; an even run of
  // backslashes before a space is itself escaped backslashes, and the space
  // then separates paths (ninja reads them the same way). Any other
  // backslash is part of the path.
  bool backslashes() {
    std::size_t n = 0;
    while (at(i_ + n) == '\\') ++n;
    const std::size_t next = i_ + n;
    const char c = at(next);
    if (c == '\n' || (c == '\r' && at(next + 1) == '\n')) {
      cur_.append(n - 1, '\\');
      finish_token();
      i_ = next + (c == '\r' ? 2 : 1);
      ++line_;
      return true;
    }
    if (c == ' ' || c == '#') {
      cur_.append(n / 2, '\\');
      if (n % 2 == 1 || c == '#') {
        cur_ += c;
        i_ = next + 1;
      } else {
        i_ = next;
      }
      return true;
    }
    cur_.append(n, '\\');
    i_ = next;
    return true;
  }

  char at(std::size_t k) const { return k < text_.size() ? text_[k] : '\0'; }
  bool ends_token(std::size_t k) const {
    const char c = at(k);
    return c == '\0' || c == '\n' || is_blank(c);
  }

  void finish_token() {
    if (cur_.empty()) return;
    if (in_targets_) {
      ++targets_;
    } else {
      add(cur_);
    }
    cur_.clear();
  }

  void add(const std::string& token) {
    fs::path p(token);
    if (p.is_relative()) p = base_ / p;
    p = p.lexically_normal();
    if (seen_.insert(p.string()).second) out_.push_back(std::move(p));
  }

  bool end_line() {
    if (in_targets_ && targets_ > 0) {
      error_ = fmt::format(
          "line {} names targets but has no ':' after them; not a depfile (expected "
          "'target: prerequisites', as -MD -MF writes)",
          line_);
      return false;
    }
    in_targets_ = true;
    targets_ = 0;
    return true;
  }

  std::string_view text_;
  const fs::path& base_;
  std::size_t i_ = 0;
  std::size_t line_ = 1;
  bool in_targets_ = true;
  int targets_ = 0;
  std::string cur_;
  std::string error_;
  std::vector<fs::path> out_;
  std::unordered_set<std::string> seen_;
};

}  // namespace

std::optional<std::vector<fs::path>> parse_depfile(std::string_view text, const fs::path& base_dir,
                                                   std::string* error) {
  DepfileParser parser(text, base_dir);
  if (!parser.run(error)) return std::nullopt;
  return parser.take();
}

std::optional<std::vector<fs::path>> read_depfile(const fs::path& file, const fs::path& base_dir,
                                                  std::string* error) {
  int read_error = 0;
  const std::optional<std::string> text = text::read_whole_file(file, &read_error);
  if (!text) {
    if (error) {
      *error = fmt::format(
          "cannot read the depfile '{}': {} (the compile writes it when given -MD -MF {})",
          file.string(), std::strerror(read_error), file.string());
    }
    return std::nullopt;
  }
  std::string why;
  auto deps = parse_depfile(*text, base_dir, &why);
  if (!deps && error) *error = fmt::format("{}: {}", file.string(), why);
  return deps;
}

}  // namespace hotmod::compile
