// files.hpp — writing and reading the small files tests set up and check,
// shared by every test binary instead of a copy in each file.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace hotmod_test {

// Writes `text` to `file` (binary, truncating it in place), creating its
// folders; throws naming the file when it cannot. For a file that must
// appear whole, see write_text in tests/integration/support.hpp (a rename).
void write_file(const std::filesystem::path& file, std::string_view text);
// The whole file; "" when it cannot be read.
std::string read_file(const std::filesystem::path& file);

}  // namespace hotmod_test
