#include "diag/json_error.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace hotmod::diag {
namespace {

// nlohmann's reason without its "[json.exception.parse_error.101] parse
// error at line 3, column 5: " prefix: the message gives its own position.
std::string_view parse_reason(std::string_view what) {
  const std::size_t at = what.find("parse error");
  if (at == std::string_view::npos) return what;
  const std::size_t colon = what.find(": ", at);
  return colon == std::string_view::npos ? what : what.substr(colon + 2);
}

}  // namespace

std::size_t json_error_offset(std::string_view text, std::size_t byte) {
  return std::min(byte > 0 ? byte - 1 : 0, text.size());
}

std::string json_parse_error(std::string_view text, const std::filesystem::path& file,
                             std::size_t byte, std::string_view what) {
  const std::size_t offset = json_error_offset(text, byte);
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return fmt::format("{}:{}:{}: not valid JSON: {}", file.string(), line, column,
                     parse_reason(what));
}

}  // namespace hotmod::diag
