// Reads a whole file into memory: the one reader for hotmod's text inputs
// (project files, depfiles, compile databases, build-cache manifests).
// Module images are read by loader::read_file instead, which also keeps the
// identity fstat() gives on the same descriptor.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace hotmod::text {

// The file's bytes, or std::nullopt with `*error` (when given) set to the
// errno of the open or read that failed. One open, reads sized by fstat().
std::optional<std::string> read_whole_file(const std::filesystem::path& file, int* error = nullptr);

}  // namespace hotmod::text
