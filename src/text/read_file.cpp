// Written by hand rather than with std::ifstream + rdbuf(): a stream reports
// failure without the errno that names why, and copies through a stringbuf.
#include "text/read_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace hotmod::text {

namespace {

std::nullopt_t failed(int* error, int fd) {
  const int why = errno;
  if (fd >= 0) ::close(fd);
  if (error) *error = why;
  return std::nullopt;
}

}  // namespace

std::optional<std::string> read_whole_file(const std::filesystem::path& file, int* error) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return failed(error, fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return failed(error, fd);
  if (S_ISDIR(st.st_mode)) {
    errno = EISDIR;
    return failed(error, fd);
  }
  std::string text;
  // A file that grows while read (or a /proc file, whose size is 0) is read
  // to its end: the size is a first guess, not a limit. The spare byte lets
  // the read that finds the end need no second allocation.
  text.resize(static_cast<std::size_t>(st.st_size > 0 ? st.st_size : 4095) + 1);
  std::size_t done = 0;
  for (;;) {
    if (done == text.size()) text.resize(text.size() * 2);
    const ssize_t n = ::read(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return failed(error, fd);
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  text.resize(done);
  return text;
}

}  // namespace hotmod::text
