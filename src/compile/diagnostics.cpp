#include "compile/diagnostics.hpp"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <initializer_list>
#include <string_view>

namespace hotmod::compile {
namespace {

constexpr char kEsc = '\x1b';

// Skips one escape sequence starting at text[i] (an ESC); returns the index
// after it.
std::size_t skip_escape(std::string_view text, std::size_t i) {
  const std::size_t n = text.size();
  if (i + 1 >= n) return n;
  const char kind = text[i + 1];
  if (kind == '[') {  // CSI: parameters, intermediates, one final byte
    std::size_t k = i + 2;
    while (k < n && text[k] >= 0x20 && text[k] <= 0x3f) ++k;
    return k < n ? k + 1 : n;
  }
  if (kind == ']') {  // OSC (gcc's -fdiagnostics-urls): up to BEL or ESC '\'
    for (std::size_t k = i + 2; k < n; ++k) {
      if (text[k] == '\a') return k + 1;
      if (text[k] == kEsc && k + 1 < n && text[k + 1] == '\\') return k + 2;
    }
    return n;
  }
  return i + 2;  // a two-byte sequence
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

// "clang-14" -> "clang", "gcc-12" -> "gcc": drivers are often versioned.
std::string_view without_version(std::string_view name) {
  const std::size_t dash = name.rfind('-');
  if (dash == std::string_view::npos || dash + 1 == name.size()) return name;
  for (char c : name.substr(dash + 1)) {
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.') return name;
  }
  return name.substr(0, dash);
}

bool is_linker(std::string_view name) {
  constexpr std::array<std::string_view, 9> kLinkers = {
      "ld", "ld.bfd", "ld.gold", "gold", "ld.lld", "lld", "ld64.lld", "mold", "ld.mold"};
  for (auto l : kLinkers) {
    if (name == l) return true;
  }
  // Cross toolchains: "x86_64-linux-gnu-ld".
  return ends_with(name, "-ld") || ends_with(name, "-ld.bfd") || ends_with(name, "-ld.gold");
}

// Whether the text before a line's first ": " names a program (the driver,
// the compiler proper, a linker) rather than a source file.
bool is_tool(std::string_view head) {
  if (head.empty() || head.find(' ') != std::string_view::npos) return false;
  const std::size_t slash = head.rfind('/');
  const std::string_view name =
      without_version(slash == std::string_view::npos ? head : head.substr(slash + 1));
  constexpr std::array<std::string_view, 12> kTools = {
      "cc1",     "cc1plus", "collect2", "lto1", "lto-wrapper", "clang",
      "clang++", "gcc",     "g++",      "c++",  "cc",          "clang-cl"};
  for (auto t : kTools) {
    if (name == t) return true;
  }
  return is_linker(name) || ends_with(name, "-gcc") || ends_with(name, "-g++") ||
         ends_with(name, "-c++");
}

struct Severity {
  std::string_view printed;  // with its colon
  std::string_view stored;
  std::string_view keep;  // put back before the message: the kind is worth keeping
};
constexpr std::array<Severity, 5> kSeverities = {
    {{"fatal error:", "fatal error", ""},
     {"error:", "error", ""},
     {"warning:", "warning", ""},
     {"note:", "note", ""},
     {"sorry, unimplemented:", "error", "sorry, unimplemented: "}}};

// The severity `text` starts with, or nullptr.
const Severity* severity_at(std::string_view text) {
  for (const auto& s : kSeverities) {
    if (text.substr(0, s.printed.size()) == s.printed) return &s;
  }
  return nullptr;
}

void set_severity(const Severity& s, std::string_view rest, hotmod::CompilerMessage& m) {
  m.severity = s.stored;
  m.message = std::string(s.keep) + std::string(trim(rest.substr(s.printed.size())));
}

// Parses a trailing ":<digits>" off `s`; -1 when there is none.
int take_number(std::string_view& s) {
  std::size_t k = s.size();
  while (k > 0 && std::isdigit(static_cast<unsigned char>(s[k - 1]))) --k;
  if (k == s.size() || k == 0 || s[k - 1] != ':' || s.size() - k > 9) return -1;
  const int value = std::stoi(std::string(s.substr(k)));
  s = s.substr(0, k - 1);
  return value;
}

// "file:line:col", "file:line" or "file".
void set_location(std::string_view where, hotmod::CompilerMessage& m) {
  const int last = take_number(where);
  const int before = last < 0 ? -1 : take_number(where);
  if (before >= 0) {
    m.line = before;
    m.column = last;
  } else if (last >= 0) {
    m.line = last;
  }
  m.file = std::string(where);
}

// A line that starts with a program's name: "clang: error: ...",
// "mold: error: ...", "/usr/bin/ld: cannot find -lfoo: ...".
bool parse_tool_line(std::string_view tool, std::string_view rest, hotmod::CompilerMessage& m) {
  if (const Severity* s = severity_at(rest)) {
    set_severity(*s, rest, m);
    return true;
  }
  const std::size_t slash = tool.rfind('/');
  if (!is_linker(without_version(slash == std::string_view::npos ? tool : tool.substr(slash + 1))))
    return false;
  // GNU ld says neither "error" nor "warning" on most errors. A line ending
  // in ':' introduces the next ("x.o: in function `f()':").
  if (rest.empty() || rest.back() == ':') return false;
  m.severity = rest.find("warning:") != std::string_view::npos ? "warning" : "error";
  m.message = std::string(rest);
  return true;
}

bool parse_line(std::string_view line, hotmod::CompilerMessage& m) {
  if (line.empty() || std::isspace(static_cast<unsigned char>(line.front()))) return false;
  if (line.substr(0, 3) == ">>>") return false;
  const std::size_t first = line.find(": ");
  if (first != std::string_view::npos && is_tool(line.substr(0, first)))
    return parse_tool_line(line.substr(0, first), trim(line.substr(first + 2)), m);
  for (std::size_t at = first; at != std::string_view::npos; at = line.find(": ", at + 1)) {
    const std::string_view rest = line.substr(at + 2);
    if (const Severity* s = severity_at(rest)) {
      set_location(line.substr(0, at), m);
      set_severity(*s, rest, m);
      return true;
    }
  }
  // GNU ld's undefined references, printed without its name when it has
  // already named the object on the line before.
  if (line.find("undefined reference to") != std::string_view::npos ||
      line.find("multiple definition of") != std::string_view::npos) {
    m.severity = "error";
    m.message = std::string(trim(line));
    return true;
  }
  return false;
}

}  // namespace

std::string strip_ansi(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == kEsc) {
      i = skip_escape(text, i);
    } else {
      out += text[i++];
    }
  }
  return out;
}

std::vector<hotmod::CompilerMessage> parse_diagnostics(std::string_view output) {
  const std::string plain = strip_ansi(output);
  const std::string_view text(plain);
  std::vector<hotmod::CompilerMessage> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    hotmod::CompilerMessage m;
    if (parse_line(line, m)) out.push_back(std::move(m));
    start = end + 1;
  }
  return out;
}

DiagnosticCounts count(const std::vector<hotmod::CompilerMessage>& messages) {
  DiagnosticCounts c;
  for (const auto& m : messages) {
    if (m.severity == "error" || m.severity == "fatal error") ++c.errors;
    if (m.severity == "warning") ++c.warnings;
  }
  return c;
}

std::string hint(const std::vector<hotmod::CompilerMessage>& messages) {
  auto has = [](const std::string& text, std::initializer_list<std::string_view> words) {
    for (std::string_view w : words)
      if (text.find(w) != std::string::npos) return true;
    return false;
  };
  for (const auto& m : messages) {
    // g++: "invalid use of incomplete type", "return type ... is incomplete";
    // clang: "... undefined template", "... with incomplete return type".
    const bool incomplete = has(m.message, {"incomplete", "undefined template"});
    // g++: "'Value' in namespace 'hotmod' does not name a type", "'Value' is
    // not a member of 'hotmod'", "'hotmod::Value' has not been declared";
    // clang: "no type named 'Value' in namespace 'hotmod'", "no member
    // named 'Value' in namespace 'hotmod'".
    const bool undeclared =
        has(m.message, {"Value"}) && has(m.message, {"hotmod"}) &&
        has(m.message, {"does not name a type", "no type named", "is not a member of",
                        "has not been declared", "no member named"});
    if (undeclared || (incomplete && has(m.message, {"hotmod::Value", "basic_json",
                                                     "hotmod::detail::JsonValue"})))
      return "<hotmod/module.hpp> does not define hotmod::Value: add #include "
             "<hotmod/value.hpp> to build or read Values";
    // A lambda given to subscribe() fails to convert to the declared
    // EventCallback rather than naming it incomplete on g++.
    const bool declared_only =
        (incomplete && has(m.message, {"hotmod::EventBus", "hotmod::Result", "hotmod::Module",
                                       "hotmod::Ref", "hotmod::detail::CellHandle"})) ||
        (has(m.message, {"hotmod::EventCallback"}) && has(m.message, {"incomplete", "conver"}));
    if (declared_only)
      return "<hotmod/module.hpp> only declares what the context's bus(), subscribe() and "
             "import() use: add #include <hotmod/value.hpp>";
  }
  return {};
}

std::string summarize(const std::vector<hotmod::CompilerMessage>& messages) {
  const DiagnosticCounts c = count(messages);
  if (c.errors == 0 && c.warnings == 0) return "no errors or warnings";
  const std::string warnings =
      c.warnings > 0 ? fmt::format(", {} {}", c.warnings, c.warnings == 1 ? "warning" : "warnings")
                     : std::string();
  const hotmod::CompilerMessage* first = nullptr;
  for (const auto& m : messages) {
    const bool is_error = m.severity == "error" || m.severity == "fatal error";
    if (c.errors > 0 ? is_error : m.severity == "warning") {
      first = &m;
      break;
    }
  }
  if (first == nullptr) return "no errors or warnings";  // counted above, so never
  std::string where;
  if (!first->file.empty()) {
    where = fmt::format("{}:", first->file);
    if (first->line > 0) where += fmt::format("{}:", first->line);
    if (first->column > 0) where += fmt::format("{}:", first->column);
    where += " ";
  }
  return fmt::format("{} {}{}; first: {}{}: {}", c.errors, c.errors == 1 ? "error" : "errors",
                     warnings, where, first->severity, first->message);
}

}  // namespace hotmod::compile
