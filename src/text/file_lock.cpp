// flock(2), not fcntl locks: the kernel drops it when the holder dies (a
// killed compile never leaves the folder locked), and two FileLocks in one
// process exclude each other too (fcntl locks belong to the process).
// Waiting polls a non-blocking try every few milliseconds: a blocking
// flock could not be given up when the caller is cancelled, and the lock is
// held for seconds at most, rarely contended.
#include "text/file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include <fmt/format.h>

namespace hotmod::text {

std::optional<FileLock> FileLock::acquire(const std::filesystem::path& file,
                                          const std::atomic<bool>* cancel,
                                          std::chrono::nanoseconds limit, std::string* why) {
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    *why = fmt::format("cannot open the lock file '{}': {}", file.string(), std::strerror(errno));
    return std::nullopt;
  }
  const auto start = std::chrono::steady_clock::now();
  auto pause = std::chrono::milliseconds(1);
  for (;;) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return FileLock(fd);
    if (errno != EWOULDBLOCK && errno != EINTR) {
      *why = fmt::format("cannot lock '{}': {}", file.string(), std::strerror(errno));
      break;
    }
    if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) {
      *why = fmt::format("cancelled while waiting for the lock on '{}'", file.string());
      break;
    }
    const auto waited = std::chrono::steady_clock::now() - start;
    if (limit.count() > 0 && waited >= limit) {
      *why = fmt::format("another process held the lock on '{}' for {:.1f} s", file.string(),
                         std::chrono::duration<double>(waited).count());
      break;
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(20));
  }
  ::close(fd);
  return std::nullopt;
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the lock
}

}  // namespace hotmod::text
