// Tab completion in the REPL, as a function of the text before the cursor,
// so it can be tested without a terminal:
//  - ".re"               -> the dot-commands starting so: .refresh .reload .reloadall
//  - ".reload ma"        -> module names (also after .modinfo, .errors, .watch,
//                           which adds all/off; .devmode gives on/off; .trace off)
//  - anything else       -> the Lua console's completions (globals, modules,
//                           a module's functions after "m.")
// Each completion is the whole word to put in place of the last one.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace hotmod::cli {

using LuaCompleter = std::function<std::vector<std::string>(std::string_view line)>;

// Sorted and unique.
std::vector<std::string> repl_complete(std::string_view line,
                                       const std::vector<std::string>& modules,
                                       const LuaCompleter& lua);

// Where the word repl_complete() replaces starts in `line`.
std::size_t completion_word_start(std::string_view line);

}  // namespace hotmod::cli
