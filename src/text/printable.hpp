// Names from disk and from modules (file names, versions, descriptions) on
// their way to a terminal or a log: a control character in them could end a
// line early, forge a log line or move the cursor (an ANSI escape), so each
// is written as an escape sequence instead.
#pragma once

#include <string>
#include <string_view>

namespace hotmod::text {

// `text` with every C0 control (newline and tab included), DEL and C1 control
// (U+0080..U+009F, as UTF-8) escaped: "\n", "\t", "\x1b", "\u009b"; a
// backslash stays as it is. Other UTF-8 passes through.
std::string printable(std::string_view text);

// Whether printable() would change `text`.
bool has_control_characters(std::string_view text);

}  // namespace hotmod::text
