// Reading hotmod.json: the text, its parse, its key lines and the schema.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "config/config_schema.hpp"
#include "hotmod/value.hpp"

namespace hotmod::config {

struct ProjectFile {
  FileSettings settings;
  std::vector<std::string> warnings;  // "path:line: ..." each
};

// Reads and checks `file` (absolute). An error names the file and, where
// there is one, the line: a file that is not JSON gives `path:line:col: ...`;
// every wrongly typed key is listed, one per line.
Result<ProjectFile> read_project_file(const std::filesystem::path& file);

// The same, from text already read (tests, and the reader above).
Result<ProjectFile> parse_project_file(std::string_view text, const std::filesystem::path& file);

}  // namespace hotmod::config
