// The handlers of hotmod.json's `cxx` section, one per key; their rows are
// in config_schema.cpp's table with the others. Each runs once the value has
// its row's type and stores it in FileSettings::cxx.
#pragma once

#include <string>

#include "config/config_schema.hpp"

namespace hotmod::config::cxx_keys {

std::string compiler(const Use& u, FileSettings& out);
std::string flags(const Use& u, FileSettings& out);
std::string include_dirs(const Use& u, FileSettings& out);
std::string defines(const Use& u, FileSettings& out);
std::string link_libraries(const Use& u, FileSettings& out);
std::string launcher(const Use& u, FileSettings& out);
std::string compile_commands(const Use& u, FileSettings& out);
std::string cache_dir(const Use& u, FileSettings& out);
std::string linker(const Use& u, FileSettings& out);
std::string precompiled_header(const Use& u, FileSettings& out);
std::string jobs(const Use& u, FileSettings& out);

// More parallel compiles than this is a typo, not a machine.
inline constexpr unsigned kMaxJobs = 1024;
inline constexpr std::string_view kLinkers = "auto, mold, lld or default";

}  // namespace hotmod::config::cxx_keys
