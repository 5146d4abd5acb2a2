// Writing a whole file so that readers see either the old contents or the
// new, never half: written beside it under a name no other writer uses,
// then renamed over it. For hotmod's own small files (build-cache
// manifests, the quarantine), which other processes may read at any time.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace hotmod::text {

// Creates the parent folders (with `folder_mode`) when missing. False when
// any step failed; nothing is left behind then.
bool write_file_atomically(const std::filesystem::path& file, std::string_view text,
                           std::filesystem::perms folder_mode = std::filesystem::perms::all);

// "<pid>-<n>", different on every call in this process and across processes.
std::string unique_suffix();

}  // namespace hotmod::text
