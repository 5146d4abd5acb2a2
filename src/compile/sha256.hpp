// SHA-256 of a built module, recorded when the build cache stores it and
// checked before the build is used: a changed or damaged object is found
// before it runs. Nettle computes it (with the CPU's SHA instructions where
// there are some): a plain function call, where OpenSSL 3 spends 2.5 ms of a
// fresh process's first digest loading its configuration and providers.
#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <string>

namespace hotmod::compile {

// Lower-case hex digest of `bytes`.
std::string sha256_hex(std::span<const unsigned char> bytes);

// Of a file's contents; nullopt when it cannot be read.
std::optional<std::string> sha256_of_file(const std::filesystem::path& file);

}  // namespace hotmod::compile
