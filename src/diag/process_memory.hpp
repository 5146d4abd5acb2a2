// What the process uses and what the machine has left, read from /proc.
// Each call reads the file afresh; a /proc that is missing or unreadable
// (a container without it, another OS) yields 0, never an error.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

namespace hotmod::diag {

// Resident set size: /proc/self/statm's second field times the page size.
std::uint64_t process_rss_bytes();

// /proc/meminfo's MemAvailable (the kernel's estimate of what can be
// allocated without swapping), in bytes.
std::uint64_t available_memory_bytes();

// The total size of the address ranges in /proc/self/maps backed by `file`
// (all its segments, every time it is mapped). `file` is compared with the
// pathname the kernel shows, which is absolute with symbolic links resolved:
// a relative or symlinked path is resolved first. A file deleted while mapped
// (the kernel appends " (deleted)") still counts as itself.
std::uint64_t mapped_bytes(const std::filesystem::path& file);

// The same for every mapped file at once (one read of /proc/self/maps), by
// pathname without the " (deleted)" suffix. Anonymous and special mappings
// ([heap], [stack], ...) are left out.
std::map<std::string, std::uint64_t> mapped_bytes_by_file();

}  // namespace hotmod::diag
