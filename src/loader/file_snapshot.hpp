// Reading a module file once, and deciding later whether it changed.
//
// "Changed" is never decided from whole-second mtimes: identity is device,
// inode, size and nanosecond mtime. When those match but the mtime is within
// the racy window of the moment we read the file (the filesystem's clock
// granularity can hide a second write in the same tick, as git's "racy git"
// problem shows), the contents' hash decides.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>

#include "hotmod/value.hpp"

namespace hotmod::loader {

struct FileIdentity {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  bool operator==(const FileIdentity&) const = default;
};

enum class Reading {
  copy,  // into memory of its own: the file may be rewritten in place meanwhile
  // The file mapped: only for files never rewritten in place (the build
  // cache's, renamed into place). A truncated mapped file faults when read.
  map,
};

// A file's bytes in memory of their own, released when destroyed. Read into
// fresh heap memory, a module image costs a page fault per page as read()
// fills it (1.3 ms for 350 KB on a VM); an anonymous mapping populated up
// front costs a third of that, and mapping the file itself costs only the
// pages looked at. Small files (below kMapFrom) still go to the heap, whose
// pages are mostly reused.
class FileBytes {
 public:
  FileBytes() = default;
  // The `size` bytes from the descriptor's start; nullopt with errno set
  // when they cannot be mapped or read (a short read is not an error: the
  // file shrank, and the checks on the bytes see a short image).
  static std::optional<FileBytes> from_fd(int fd, std::size_t size, Reading how);
  // Where glibc's malloc starts mapping fresh memory of its own.
  static constexpr std::size_t kMapFrom = 128 * 1024;
  FileBytes(FileBytes&& other) noexcept;
  FileBytes& operator=(FileBytes&& other) noexcept;
  ~FileBytes();

  const unsigned char* data() const { return data_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const unsigned char* begin() const { return data_; }
  const unsigned char* end() const { return data_ + size_; }
  operator std::span<const unsigned char>() const { return {data_, size_}; }

 private:
  unsigned char* data_ = nullptr;
  std::size_t size_ = 0;    // the bytes (fewer than mapped when the file shrank)
  std::size_t mapped_ = 0;  // the mapping's length; 0: data_ is new[]'d
};

struct FileSnapshot {
  FileIdentity identity;
  std::uint64_t content_hash = 0;
  std::int64_t read_at_ns = 0;  // wall clock when the bytes were read
  FileBytes bytes;

  // What was read, without the bytes: to remember a file by.
  FileSnapshot record() const { return {identity, content_hash, read_at_ns, {}}; }
};

// Reads the whole file; identity comes from fstat of the same descriptor.
Result<FileSnapshot> read_file(const std::filesystem::path& path, Reading how = Reading::copy);

// Identity of the file now; an Error when it cannot be stat'ed.
Result<FileIdentity> stat_identity(const std::filesystem::path& path);

std::uint64_t hash_bytes(const unsigned char* data, std::size_t size);

// True when `path` was last modified at least `quiet` ago (by the wall
// clock), so a writer is unlikely to be halfway through it.
bool file_settled(const std::filesystem::path& path, std::chrono::nanoseconds quiet);

// True when `path` no longer holds what `seen` recorded.
bool file_changed(const std::filesystem::path& path, const FileSnapshot& seen);

}  // namespace hotmod::loader
