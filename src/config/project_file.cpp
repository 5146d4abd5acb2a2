#include "config/project_file.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "config/json_lines.hpp"
#include "diag/json_error.hpp"
#include "text/read_file.hpp"

namespace hotmod::config {
namespace fs = std::filesystem;
namespace {

Error config_error(std::string message) {
  return Error{Stage::config, Failure::invalid_config, std::move(message)};
}

// The most common hand-editing mistake, said plainly.
std::string hint(std::string_view text, std::size_t offset) {
  if (offset >= text.size() || (text[offset] != '}' && text[offset] != ']')) return {};
  std::size_t before = offset;
  while (before > 0 && std::isspace(static_cast<unsigned char>(text[before - 1]))) --before;
  return before > 0 && text[before - 1] == ',' ? " (a trailing comma? JSON allows none)" : "";
}

// `path:line:col: reason` for a text nlohmann refused. `byte` is its
// 1-based index of the last character read: the one in error.
Error parse_failure(std::string_view text, const fs::path& file, std::size_t byte,
                    std::string_view what) {
  return config_error(diag::json_parse_error(text, file, byte, what) +
                      hint(text, diag::json_error_offset(text, byte)));
}

std::string joined(const std::vector<Diagnostic>& ds) {
  std::string out;
  for (const auto& d : ds) out.append(out.empty() ? "" : "\n").append(d.message);
  return out;
}

}  // namespace

Result<ProjectFile> parse_project_file(std::string_view text, const fs::path& file) {
  Value root;
  try {
    root = Value::parse(text, nullptr, /*allow_exceptions=*/true, /*ignore_comments=*/true);
  } catch (const Value::parse_error& e) {
    return parse_failure(text, file, e.byte, e.what());
  } catch (const Value::exception& e) {
    return config_error(fmt::format("{}: not valid JSON: {}", file.string(), e.what()));
  }
  ProjectFile out;
  const SchemaOutcome outcome = apply_schema(root, scan_key_lines(text), file, out.settings);
  if (!outcome.errors.empty()) return config_error(joined(outcome.errors));
  for (const auto& w : outcome.warnings) out.warnings.push_back(w.message);
  return out;
}

Result<ProjectFile> read_project_file(const fs::path& file) {
  int error = 0;
  std::optional<std::string> text = text::read_whole_file(file, &error);
  if (!text)
    return config_error(fmt::format("cannot read {}: {}", file.string(), std::strerror(error)));
  return parse_project_file(*text, file);
}

}  // namespace hotmod::config
