// Content hashes for cache keys: 128-bit XXH3, printed as 32 hex digits.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace hotmod::compile {

std::string hash_text(std::string_view data);
// nullopt when the file cannot be read.
std::optional<std::string> hash_file(const std::filesystem::path& file);
// Hashes from the descriptor's current offset to its end.
std::optional<std::string> hash_fd(int fd);

// Accumulates parts; each part is length-prefixed so {"ab","c"} and
// {"a","bc"} hash differently.
class KeyHasher {
 public:
  KeyHasher& add(std::string_view part);
  std::string hex() const;

 private:
  std::string buffer_;
};

}  // namespace hotmod::compile
