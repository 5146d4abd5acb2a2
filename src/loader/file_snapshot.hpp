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
#include <string>
#include <vector>

#include "hotmod/value.hpp"

namespace hotmod::loader {

struct FileIdentity {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  bool operator==(const FileIdentity&) const = default;
};

struct FileSnapshot {
  FileIdentity identity;
  std::uint64_t content_hash = 0;
  std::int64_t read_at_ns = 0;  // wall clock when the bytes were read
  std::vector<unsigned char> bytes;
};

// Reads the whole file; identity comes from fstat of the same descriptor.
Result<FileSnapshot> read_file(const std::filesystem::path& path);

// Identity of the file now; an Error when it cannot be stat'ed.
Result<FileIdentity> stat_identity(const std::filesystem::path& path);

std::uint64_t hash_bytes(const unsigned char* data, std::size_t size);

// True when `path` was last modified at least `quiet` ago (by the wall
// clock), so a writer is unlikely to be halfway through it.
bool file_settled(const std::filesystem::path& path, std::chrono::nanoseconds quiet);

// True when `path` no longer holds what `seen` recorded.
bool file_changed(const std::filesystem::path& path, const FileSnapshot& seen);

}  // namespace hotmod::loader
