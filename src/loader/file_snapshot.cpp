#include "loader/file_snapshot.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace hotmod::loader {
namespace {

// Filesystem timestamps can lag the real clock by a tick (ext4 uses the
// kernel's coarse clock); treat anything this close to the read as racy.
constexpr std::int64_t kRacyWindowNs = 2'000'000'000;

FileIdentity identity_of(const struct stat& st) {
  return {static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino),
          static_cast<std::uint64_t>(st.st_size),
          static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Error io_error(const std::filesystem::path& path, const char* what) {
  return Error{Stage::copy, Failure::io_error,
               fmt::format("cannot {} '{}': {}", what, path.string(), std::strerror(errno))};
}

}  // namespace

std::optional<FileBytes> FileBytes::from_fd(int fd, std::size_t size, Reading how) {
  FileBytes b;
  if (size == 0) return b;  // nothing to map
  if (how == Reading::copy && size < kMapFrom) {
    // Small: the heap's reused pages beat a mapping's two system calls.
    b.data_ = new unsigned char[size];
  } else {
    const int prot = how == Reading::map ? PROT_READ : PROT_READ | PROT_WRITE;
    // MAP_POPULATE: the pages are made in one go, not one fault at a time.
    const int flags =
        how == Reading::map ? MAP_PRIVATE : MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE;
    void* at = ::mmap(nullptr, size, prot, flags, how == Reading::map ? fd : -1, 0);
    if (at == MAP_FAILED) return std::nullopt;
    b.data_ = static_cast<unsigned char*>(at);
    b.mapped_ = size;
  }
  if (how == Reading::map) {
    b.size_ = size;
    return b;
  }
  while (b.size_ < size) {
    const ssize_t n = ::pread(fd, b.data_ + b.size_, size - b.size_, static_cast<off_t>(b.size_));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;  // b unmaps; errno is the read's
    if (n == 0) break;               // shrank while we read
    b.size_ += static_cast<std::size_t>(n);
  }
  return b;
}

FileBytes::FileBytes(FileBytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      mapped_(std::exchange(other.mapped_, 0)) {}

FileBytes& FileBytes::operator=(FileBytes&& other) noexcept {
  if (this != &other) {
    FileBytes old(std::move(*this));
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    mapped_ = std::exchange(other.mapped_, 0);
  }
  return *this;
}

FileBytes::~FileBytes() {
  if (data_ == nullptr) return;
  const int saved = errno;  // a failed from_fd reports its own errno
  if (mapped_ == 0)
    delete[] data_;
  else
    ::munmap(data_, mapped_);
  errno = saved;
}

Result<FileSnapshot> read_file(const std::filesystem::path& path, Reading how) {
  FileSnapshot snap;
  snap.read_at_ns = now_ns();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error(path, "open");
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    Error e = io_error(path, "stat");
    ::close(fd);
    return e;
  }
  snap.identity = identity_of(st);
  std::optional<FileBytes> bytes =
      FileBytes::from_fd(fd, static_cast<std::size_t>(st.st_size), how);
  if (!bytes) {
    Error e = io_error(path, how == Reading::map ? "map" : "read");
    ::close(fd);
    return e;
  }
  snap.bytes = std::move(*bytes);
  ::close(fd);
  // Always: besides breaking ties for a file written within the racy window
  // (file_changed), the hash names what crashed to the quarantine, and an
  // old file's hash left at 0 would name every old file.
  snap.content_hash = hash_bytes(snap.bytes.data(), snap.bytes.size());
  return snap;
}

Result<FileIdentity> stat_identity(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return io_error(path, "stat");
  return identity_of(st);
}

std::uint64_t hash_bytes(const unsigned char* data, std::size_t size) {
  // FNV-1a over 8-byte words: fast enough for module-sized files and only
  // used to break ties the stat identity cannot.
  std::uint64_t h = 14695981039346656037ull;
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, data + i, 8);
    h = (h ^ w) * 1099511628211ull;
  }
  for (; i < size; ++i) h = (h ^ data[i]) * 1099511628211ull;
  return h ^ size;
}

bool file_settled(const std::filesystem::path& path, std::chrono::nanoseconds quiet) {
  Result<FileIdentity> id = stat_identity(path);
  return id.ok() && now_ns() - id->mtime_ns >= quiet.count();
}

bool file_changed(const std::filesystem::path& path, const FileSnapshot& seen) {
  Result<FileIdentity> now = stat_identity(path);
  if (!now.ok()) return true;
  if (!(*now == seen.identity)) return true;
  if (seen.read_at_ns - now->mtime_ns > kRacyWindowNs) return false;
  Result<FileSnapshot> again = read_file(path);
  return !again.ok() || hash_bytes(again->bytes.data(), again->bytes.size()) != seen.content_hash;
}

}  // namespace hotmod::loader
