// The library headers a source file includes before its first line of code
// — `#include <vector>`, `#include <nlohmann/json.hpp>` — which hotmod adds
// to the module's precompiled header, so a module using heavy headers
// (json, fmt, spdlog, boost) compiles them once, not on every edit.
//
// Only what cannot change the file's meaning is taken: the scan stops at the
// first line that is not a comment, a blank line, `#pragma once` or an
// angle-bracket include of a library header (the standard library's,
// hotmod's own, or one installed under /usr/include or /usr/local/include). A quoted include, a
// #define or an #if before a header may change what that header declares,
// and a project's own headers change too often to precompile.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace hotmod::compile {

// Each as written between the brackets ("vector", "nlohmann/json.hpp"), in
// order, without hotmod/module.hpp (always in the precompiled header).
std::vector<std::string> leading_library_includes(const std::string& source_text);

// Whether `name` (as between the brackets) is a library header: a standard
// one, or a file under hotmod's or the system's include folders.
bool is_library_header(const std::string& name);

}  // namespace hotmod::compile
