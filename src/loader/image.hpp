// Opening and closing module images with the dynamic loader.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "hotmod/error.hpp"
#include "hotmod/module.hpp"
#include "hotmod/value.hpp"
#include "loader/elf_inspect.hpp"

namespace hotmod::loader {

struct OpenImage {
  void* handle = nullptr;
  const detail::Descriptor* descriptor = nullptr;
};

// dlopen with RTLD_NOW, so undefined symbols fail here, named, instead of at
// the first call. Runs the image's static constructors (its registrars).
//
// With `already_open` given, a file this process has open already (by its
// path, or its device and inode) is not opened again: dlopen would hand
// back that image, statics and all. Then *already_open is set and false
// returned with no error, and the caller opens a copy of its own instead.
bool open_image(const std::filesystem::path& copy, const std::string& module, OpenImage* out,
                Error* f, bool* already_open = nullptr);

// dlclose, then whether the image really left the process. When it did not,
// `why` gets the likely cause read from the ELF summary.
bool close_image(void* handle, const std::filesystem::path& copy, const ElfSummary& elf,
                 std::string* why);

// The addresses an open image spans, from its first mapped byte to its
// last; false when they cannot be told.
bool image_span(void* handle, std::uintptr_t* start, std::uintptr_t* end);

// Whether an image loaded from `path` is mapped in this process.
bool image_resident(const std::filesystem::path& path);

}  // namespace hotmod::loader
