// An exclusive lock on a file, held for the life of the object. hotmod
// processes sharing a folder (the build cache's precompiled headers) take
// it so that one of them does the work and the others wait and use what it
// made, instead of each doing it again and replacing the others' result.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

namespace hotmod::text {

class FileLock {
 public:
  // Creates `file` when missing and locks it, waiting while another process
  // (or another FileLock in this one) holds it — until `cancel` is set or
  // `limit` has passed (0: no limit). nullopt then, with `why` saying which.
  static std::optional<FileLock> acquire(const std::filesystem::path& file,
                                         const std::atomic<bool>* cancel,
                                         std::chrono::nanoseconds limit, std::string* why);

  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&&) = delete;
  FileLock(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace hotmod::text
