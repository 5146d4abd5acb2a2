// files.hpp — writing and reading the small files tests set up and check,
// shared by every test binary instead of a copy in each file.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace hotmod_test {

// Writes `text` to `file` (binary, truncating), creating its folders.
void write_file(const std::filesystem::path& file, std::string_view text);
// The whole file; "" when it cannot be read.
std::string read_file(const std::filesystem::path& file);

}  // namespace hotmod_test
