// Reading the depfiles gcc and clang write with -MD -MF (and -MP): which
// files a compile read, so a source module is rebuilt when any of them
// changes, headers included.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hotmod::compile {

// The prerequisites of a Makefile-style depfile, in the order written,
// each once. Understands what compilers emit: backslash-newline
// continuations, "\ " and "\#" escapes, "$$", several targets before one
// colon ("a.o b.o: ..."), -MP's phony "header.h:" rules, CRLF line ends.
// Targets are not returned. Relative paths are made absolute against
// `base_dir` (the folder the compiler ran in) and lexically normalised.
// nullopt, with the reason in `*error` when given, for text that is not a
// depfile.
std::optional<std::vector<std::filesystem::path>> parse_depfile(
    std::string_view text, const std::filesystem::path& base_dir, std::string* error);

// parse_depfile on the contents of `file`; errors name the file.
std::optional<std::vector<std::filesystem::path>> read_depfile(
    const std::filesystem::path& file, const std::filesystem::path& base_dir, std::string* error);

}  // namespace hotmod::compile
