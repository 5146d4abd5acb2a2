// A stack as text: one "file:line: in function" per frame, inlined calls
// included, innermost first, so an editor or terminal can jump to each.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hotmod::contain {

// `pcs` are addresses inside each call (return addresses minus one). At
// most `max` frames; "" when there are none. `functions`, when given, gets
// each frame's function ("" when unknown), so that a caller naming one need
// not resolve it again.
std::string frames_text(std::string_view heading, const std::uintptr_t* pcs, std::size_t count,
                        std::size_t max, std::vector<std::string>* functions = nullptr);

}  // namespace hotmod::contain
