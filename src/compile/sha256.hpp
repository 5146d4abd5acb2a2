// SHA-256 of a built module, recorded when the build cache stores it and
// checked before the build is used: a changed or damaged object is found
// before it runs. OpenSSL's libcrypto computes it (with the CPU's SHA
// instructions where there are some).
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
