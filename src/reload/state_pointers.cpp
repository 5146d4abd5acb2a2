#include "reload/state_pointers.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace hotmod::reload {

// Under the `immediate` commit policy calls in flight may be writing the
// state while it is read here; a word read torn is at worst a missed or a
// spurious warning, so ThreadSanitizer is told not to watch these reads.
__attribute__((no_sanitize("thread"))) std::vector<std::size_t> pointers_into(const void* data,
                                                                              std::size_t size,
                                                                              std::uintptr_t start,
                                                                              std::uintptr_t end,
                                                                              std::size_t most) {
  std::vector<std::size_t> found;
  const auto* bytes = static_cast<const unsigned char*>(data);
  const std::uintptr_t at = reinterpret_cast<std::uintptr_t>(data);
  std::size_t offset = (8 - at % 8) % 8;
  const std::size_t scanned = std::min<std::size_t>(size, std::size_t{4} << 20);
  for (; offset + 8 <= scanned && found.size() < most; offset += 8) {
    std::uintptr_t word = 0;
    std::memcpy(&word, bytes + offset, sizeof word);
    if (word >= start && word < end) found.push_back(offset);
  }
  return found;
}

std::string stale_pointer_warning(const std::string& module, std::string_view type,
                                  const std::string& version, std::uint64_t generation,
                                  const std::vector<std::size_t>& offsets) {
  if (offsets.empty()) return "";
  std::string where;
  for (std::size_t i = 0; i < offsets.size(); ++i)
    where += fmt::format("{}{}",
                         i == 0                    ? ""
                         : i + 1 == offsets.size() ? " and "
                                                   : ", ",
                         offsets[i]);
  return fmt::format(
      "module '{}': its state {} holds {} into the replaced version {} (load {}) at byte "
      "offset{} {} — a function pointer, vtable, string literal or global of the old code; once "
      "that version unloads, a call through it fails as a stale call. Set such fields again in "
      "on_load, or keep data rather than pointers to code in state",
      module, type, offsets.size() == 1 ? "what looks like a pointer" : "what look like pointers",
      version, generation, offsets.size() == 1 ? "" : "s", where);
}

}  // namespace hotmod::reload
