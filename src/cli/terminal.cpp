#include "cli/terminal.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <cstring>

namespace hotmod::cli {

bool colour_for(std::FILE* stream) {
  // https://no-color.org: present and not empty turns colour off.
  if (const char* no = std::getenv("NO_COLOR"); no != nullptr && *no != '\0') return false;
  if (const char* term = std::getenv("TERM"); term != nullptr && std::strcmp(term, "dumb") == 0)
    return false;
  return ::isatty(::fileno(stream)) == 1;
}

bool unicode_for(std::FILE* stream) {
  if (::isatty(::fileno(stream)) != 1) return false;
  const char* locale = nullptr;
  for (const char* name : {"LC_ALL", "LC_CTYPE", "LANG"}) {
    const char* v = std::getenv(name);
    if (v != nullptr && *v != '\0') {
      locale = v;
      break;
    }
  }
  if (locale == nullptr) return false;
  std::string l(locale);
  for (char& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return l.find("utf-8") != std::string::npos || l.find("utf8") != std::string::npos;
}

std::string paint(std::string_view text, Colour colour, bool on) {
  if (!on || colour == Colour::none) return std::string(text);
  const char* code = colour == Colour::red      ? "\033[1;31m"
                     : colour == Colour::green  ? "\033[32m"
                     : colour == Colour::yellow ? "\033[33m"
                                                : "\033[1m";
  return fmt::format("{}{}\033[0m", code, text);
}

// A configuration error lists every bad key, one per line: each gets the
// prefix, so `grep 'error:'` finds them all.
void print_error(std::string_view message) {
  const std::string prefix =
      fmt::format("hotmod: {} ", paint("error:", Colour::red, colour_for(stderr)));
  std::string out;
  while (!message.empty()) {
    const std::size_t end = message.find('\n');
    out += fmt::format("{}{}\n", prefix, message.substr(0, end));
    message = end == std::string_view::npos ? std::string_view() : message.substr(end + 1);
  }
  std::fputs(out.c_str(), stderr);
}

int usage_error(std::string_view message) {
  print_error(message);
  std::fputs("Run 'hotmod --help' for the command line.\n", stderr);
  return kExitUsage;
}

}  // namespace hotmod::cli
