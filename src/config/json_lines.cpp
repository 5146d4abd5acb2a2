#include "config/json_lines.hpp"

#include <cstdint>
#include <set>

namespace hotmod::config {
namespace {

// One open object or array, and where the scan is inside it.
struct Frame {
  bool object = false;
  std::string pointer;                      // of the container itself
  bool expect_key = true;                   // object: the next string is a key
  std::string key;                          // object: the current member's key
  std::size_t index = 0;                    // array: the current element's index
  bool element_seen = false;                // array: the current element's start is recorded
  std::set<std::string, std::less<>> keys;  // object: keys so far, for duplicates
};

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  KeyLines run() {
    while (pos_ < text_.size()) step();
    return std::move(out_);
  }

 private:
  void step() {
    const char c = text_[pos_];
    if (c == '\n') {
      ++line_;
      ++pos_;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == ':') {
      ++pos_;
    } else if (c == '/' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '/') {
      while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
    } else if (c == '/' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '*') {
      skip_block_comment();
    } else if (c == '"') {
      string_token();
    } else if (c == '{' || c == '[') {
      open(c == '{');
    } else if (c == '}' || c == ']') {
      if (!stack_.empty()) stack_.pop_back();
      ++pos_;
    } else if (c == ',') {
      next_member();
      ++pos_;
    } else {
      value_start();
      skip_literal();
    }
  }

  void skip_block_comment() {
    pos_ += 2;
    while (pos_ < text_.size() &&
           !(text_[pos_] == '*' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '/')) {
      if (text_[pos_] == '\n') ++line_;
      ++pos_;
    }
    pos_ = pos_ < text_.size() ? pos_ + 2 : pos_;  // an unterminated comment runs to the end
  }

  // A number, true/false/null, or anything else that is not structure.
  void skip_literal() {
    static constexpr std::string_view kStop = ",:[]{}\"/ \t\r\n";
    const std::size_t start = pos_;
    while (pos_ < text_.size() && kStop.find(text_[pos_]) == std::string_view::npos) ++pos_;
    if (pos_ == start) ++pos_;  // a lone '/' that starts no comment
  }

  void string_token() {
    const int line = line_;
    std::string s = read_string();
    if (!stack_.empty() && stack_.back().object && stack_.back().expect_key) {
      key(std::move(s), line);
    } else {
      value_start(line);
    }
  }

  // Reads the string at pos_ (on its opening quote), decoding escapes the
  // way the parser does, so pointers match the parsed keys.
  std::string read_string() {
    std::string s;
    ++pos_;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      const char c = text_[pos_++];
      if (c == '\n') ++line_;  // not valid JSON, but keep counting
      if (c != '\\' || pos_ >= text_.size()) {
        s += c;
        continue;
      }
      const char e = text_[pos_++];
      switch (e) {
        case 'b':
          s += '\b';
          break;
        case 'f':
          s += '\f';
          break;
        case 'n':
          s += '\n';
          break;
        case 'r':
          s += '\r';
          break;
        case 't':
          s += '\t';
          break;
        case 'u':
          append_utf8(s, read_code_point());
          break;
        case '\n':
          ++line_;
          s += e;
          break;
        default:
          s += e;
          break;  // \" \\ \/ and anything invalid
      }
    }
    if (pos_ < text_.size()) ++pos_;  // the closing quote
    return s;
  }

  // After "\u": four hex digits, joined with a following low surrogate.
  std::uint32_t read_code_point() {
    std::uint32_t cp = read_hex4();
    if (cp >= 0xD800 && cp < 0xDC00 && pos_ + 1 < text_.size() && text_[pos_] == '\\' &&
        text_[pos_ + 1] == 'u') {
      const std::size_t save = pos_;
      pos_ += 2;
      const std::uint32_t low = read_hex4();
      if (low >= 0xDC00 && low < 0xE000) return 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
      pos_ = save;
    }
    return cp;
  }

  std::uint32_t read_hex4() {
    std::uint32_t v = 0;
    for (int i = 0; i < 4 && pos_ < text_.size(); ++i, ++pos_) {
      const char h = text_[pos_];
      std::uint32_t d = 0;
      if (h >= '0' && h <= '9') {
        d = static_cast<std::uint32_t>(h - '0');
      } else if (h >= 'a' && h <= 'f') {
        d = static_cast<std::uint32_t>(h - 'a' + 10);
      } else if (h >= 'A' && h <= 'F') {
        d = static_cast<std::uint32_t>(h - 'A' + 10);
      } else {
        break;
      }
      v = v * 16 + d;
    }
    return v;
  }

  void key(std::string k, int line) {
    Frame& f = stack_.back();
    std::string pointer = f.pointer + "/" + pointer_token(k);
    if (!f.keys.insert(k).second) {
      out_.duplicates.push_back({pointer, out_.lines[pointer], line});
    }
    out_.lines[pointer] = line;
    f.key = std::move(k);
    f.expect_key = false;
  }

  // The pointer of the value that starts here, given the innermost frame.
  std::string child_pointer() const {
    if (stack_.empty()) return "";
    const Frame& f = stack_.back();
    if (f.object) return f.pointer + "/" + pointer_token(f.key);
    return f.pointer + "/" + std::to_string(f.index);
  }

  // A value begins: array elements are recorded where they start (object
  // members were recorded at their key).
  void value_start(int line = 0) {
    if (stack_.empty() || stack_.back().object || stack_.back().element_seen) return;
    stack_.back().element_seen = true;
    out_.lines[child_pointer()] = line > 0 ? line : line_;
  }

  void open(bool object) {
    value_start();
    Frame f;
    f.object = object;
    f.pointer = child_pointer();
    stack_.push_back(std::move(f));
    ++pos_;
  }

  void next_member() {
    if (stack_.empty()) return;
    Frame& f = stack_.back();
    if (f.object) {
      f.expect_key = true;
    } else {
      ++f.index;
      f.element_seen = false;
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  int line_ = 1;
  std::vector<Frame> stack_;
  KeyLines out_;
};

}  // namespace

KeyLines scan_key_lines(std::string_view text) {
  return Scanner(text).run();
}

int KeyLines::line_of(std::string_view pointer) const {
  while (true) {
    if (auto it = lines.find(pointer); it != lines.end()) return it->second;
    const std::size_t slash = pointer.rfind('/');
    if (slash == std::string_view::npos) return 1;
    pointer = pointer.substr(0, slash);
  }
}

std::string pointer_token(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace hotmod::config
