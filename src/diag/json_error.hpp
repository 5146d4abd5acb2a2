// Where nlohmann::json stopped, said as people read it: "path:line:col: not
// valid JSON: reason". Shared by every reader of JSON files (hotmod.json,
// compile_commands.json).
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace hotmod::diag {

// The character offset (0-based) of nlohmann's 1-based `byte`, kept in `text`.
std::size_t json_error_offset(std::string_view text, std::size_t byte);

// "path:line:col: not valid JSON: <reason>" for a parse_error whose what()
// is `what` at 1-based `byte` (nlohmann's own position prefix dropped).
std::string json_parse_error(std::string_view text, const std::filesystem::path& file,
                             std::size_t byte, std::string_view what);

}  // namespace hotmod::diag
