// temp_dir.hpp — the unit tests' file helpers, and the shared TempDir.
#pragma once

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "files.hpp"
#include "temp_dir_common.hpp"

namespace hotmod_unit {

namespace fs = std::filesystem;

using hotmod_test::TempDir;  // a fresh folder per test (tests/common)

using hotmod_test::read_file;   // tests/common/files.hpp
using hotmod_test::write_file;  // truncates in place, creates folders

inline std::vector<unsigned char> read_bytes(const fs::path& from) {
  std::ifstream in(from, std::ios::binary);
  std::vector<unsigned char> bytes(in ? static_cast<std::size_t>(fs::file_size(from)) : 0);
  if (!in ||
      !in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size())))
    throw std::runtime_error("cannot read " + from.string());
  return bytes;
}

}  // namespace hotmod_unit
