// Pointers into a replaced version's image left in the state the next
// version keeps: a function pointer, a vtable pointer, the address of a
// string literal or of a global of the old code. They stay valid only until
// the old image unloads; a call through one then fails as a stale call.
// Found before the old version is retired, and warned about by offset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hotmod::reload {

// Byte offsets of the 8-byte-aligned words of `data` (the first `size`
// bytes, at most 4 MiB of them) whose value lies in [start, end); at most
// `most` of them.
std::vector<std::size_t> pointers_into(const void* data, std::size_t size, std::uintptr_t start,
                                       std::uintptr_t end, std::size_t most);

// The warning for `offsets` of module `module`'s state `type`, pointing into
// `version` (load `generation`); empty when there are none.
std::string stale_pointer_warning(const std::string& module, std::string_view type,
                                  const std::string& version, std::uint64_t generation,
                                  const std::vector<std::size_t>& offsets);

}  // namespace hotmod::reload
