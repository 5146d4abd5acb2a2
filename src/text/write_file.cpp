#include "text/write_file.hpp"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <system_error>

namespace hotmod::text {
namespace fs = std::filesystem;

std::string unique_suffix() {
  static std::atomic<std::uint64_t> counter{0};
  return std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

bool write_file_atomically(const fs::path& file, std::string_view text, fs::perms folder_mode) {
  std::error_code ec;
  const fs::path folder = file.parent_path();
  if (!folder.empty() && !fs::is_directory(folder, ec)) {
    fs::create_directories(folder, ec);
    if (folder_mode != fs::perms::all) fs::permissions(folder, folder_mode, ec);
  }
  const fs::path tmp = file.string() + ".tmp" + unique_suffix();
  {
    std::ofstream out(tmp, std::ios::binary);
    out << text;
    out.close();
    if (!out) {
      fs::remove(tmp, ec);
      return false;
    }
  }
  fs::rename(tmp, file, ec);
  if (ec) fs::remove(tmp, ec);
  return !ec;
}

}  // namespace hotmod::text
