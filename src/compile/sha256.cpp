#include "compile/sha256.hpp"

#include <fcntl.h>
#include <nettle/sha2.h>
#include <unistd.h>

#include <array>
#include <cerrno>

namespace hotmod::compile {
namespace {

std::string hex(const unsigned char* digest, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(2 * n, '0');
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[digest[i] >> 4];
    out[2 * i + 1] = kDigits[digest[i] & 0xf];
  }
  return out;
}

std::string finish(sha256_ctx& ctx) {
  unsigned char digest[SHA256_DIGEST_SIZE];
  sha256_digest(&ctx, sizeof digest, digest);
  return hex(digest, sizeof digest);
}

}  // namespace

std::string sha256_hex(std::span<const unsigned char> bytes) {
  sha256_ctx ctx;
  sha256_init(&ctx);
  sha256_update(&ctx, bytes.size(), bytes.data());
  return finish(ctx);
}

std::optional<std::string> sha256_of_file(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  sha256_ctx ctx;
  sha256_init(&ctx);
  std::array<unsigned char, 1 << 16> buffer;
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    sha256_update(&ctx, static_cast<std::size_t>(n), buffer.data());
  }
  ::close(fd);
  return finish(ctx);
}

}  // namespace hotmod::compile
