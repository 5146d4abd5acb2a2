#include "compile/content_hash.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <xxhash.h>

#include <cstdio>
#include <memory>

namespace hotmod::compile {
namespace {

std::string hex(XXH128_hash_t h) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(h.high64),
                static_cast<unsigned long long>(h.low64));
  return buf;
}

}  // namespace

std::string hash_text(std::string_view data) {
  return hex(XXH3_128bits(data.data(), data.size()));
}

std::optional<std::string> hash_file(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::optional<std::string> h = hash_fd(fd);
  ::close(fd);
  return h;
}

std::optional<std::string> hash_fd(int fd) {
  std::unique_ptr<XXH3_state_t, decltype(&XXH3_freeState)> state(XXH3_createState(),
                                                                 &XXH3_freeState);
  XXH3_128bits_reset(state.get());
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) return std::nullopt;
    XXH3_128bits_update(state.get(), buf, static_cast<std::size_t>(n));
  }
  return hex(XXH3_128bits_digest(state.get()));
}

KeyHasher& KeyHasher::add(std::string_view part) {
  buffer_ += std::to_string(part.size());
  buffer_ += ':';
  buffer_ += part;
  return *this;
}

std::string KeyHasher::hex() const {
  return hash_text(buffer_);
}

}  // namespace hotmod::compile
