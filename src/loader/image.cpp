#include "loader/image.hpp"

#include <fmt/format.h>

#include <dlfcn.h>
#include <link.h>

#include <cstring>
#include <mutex>

namespace hotmod::loader {
namespace {

// dlopen and dlclose already run under glibc's loader lock; taking our own
// around them costs nothing and makes the ordering visible to ThreadSanitizer,
// which otherwise sees a new image's constructors and an old image's
// destructors at the same (reused) address as a race.
std::mutex& loader_mutex() {
  static std::mutex mu;
  return mu;
}

}  // namespace

bool open_image(const std::filesystem::path& copy, const std::string& module, OpenImage* out,
                Error* f, bool* already_open) {
  std::unique_lock lock(loader_mutex());
  if (already_open != nullptr) {
    // Under the lock: no other open of the same file slips in between.
    *already_open = false;
    if (void* open = ::dlopen(copy.c_str(), RTLD_NOW | RTLD_NOLOAD)) {
      ::dlclose(open);
      *already_open = true;
      return false;
    }
  }
  void* h = ::dlopen(copy.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (h == nullptr) {
    const char* raw = ::dlerror();
    std::string text = raw != nullptr ? raw : "unknown dlopen error";
    lock.unlock();
    std::string hint = "; the module could not be opened";
    const std::size_t at = text.find("undefined symbol: ");
    if (at != std::string::npos) {
      hint = fmt::format(
          "; module '{}' has an undefined symbol: {} — define it or link the library that does "
          "(target_link_libraries)",
          module, text.substr(at + std::strlen("undefined symbol: ")));
    }
    *f = Error{Stage::load, Failure::open_failed,
               fmt::format("cannot open module '{}'{}", module, hint), text};
    return false;
  }
  auto* d = static_cast<const detail::Descriptor*>(::dlsym(h, abi::kDescriptorSymbol));
  if (d == nullptr) {
    ::dlclose(h);
    lock.unlock();
    *f = Error{Stage::validate, Failure::no_descriptor,
               fmt::format("module '{}' does not export {}; add HOTMOD_MODULE(name, version, "
                           "description) to one of its sources",
                           module, abi::kDescriptorSymbol)};
    return false;
  }
  out->handle = h;
  out->descriptor = d;
  return true;
}

bool image_span(void* handle, std::uintptr_t* start, std::uintptr_t* end) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 35))
  link_map* map = nullptr;
  dl_find_object found;
  if (handle == nullptr || ::dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0 || map == nullptr ||
      ::_dl_find_object(map->l_ld, &found) != 0)
    return false;
  *start = reinterpret_cast<std::uintptr_t>(found.dlfo_map_start);
  *end = reinterpret_cast<std::uintptr_t>(found.dlfo_map_end);
  return true;
#else
  (void)handle;
  (void)start;
  (void)end;
  return false;
#endif
}

bool image_resident(const std::filesystem::path& path) {
  struct Search {
    const char* path;
    bool found;
  } search{path.c_str(), false};
  ::dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) {
        auto* s = static_cast<Search*>(data);
        if (info->dlpi_name != nullptr && std::strcmp(info->dlpi_name, s->path) == 0)
          s->found = true;
        return s->found ? 1 : 0;
      },
      &search);
  return search.found;
}

bool close_image(void* handle, const std::filesystem::path& copy, const ElfSummary& elf,
                 std::string* why) {
  {
    // The check under the same lock: a build opened where the cache keeps
    // it has one path, and an open of it slipping in between would look
    // like this image staying.
    std::lock_guard lock(loader_mutex());
    ::dlclose(handle);
    if (!image_resident(copy)) return true;
  }
  if (elf.nodelete) {
    *why = "it is linked with -z nodelete (DF_1_NODELETE); remove that flag";
  } else if (!elf.unique_symbols.empty()) {
    *why = fmt::format(
        "it exports STB_GNU_UNIQUE symbols (e.g. {}), which glibc never unloads; build it with "
        "g++'s -fno-gnu-unique and -fvisibility=hidden (hotmod_add_module() does both)",
        elf.unique_symbols.front());
  } else if (elf.has_tls) {
    *why =
        "it has thread_local variables, and a thread that used one with a destructor is "
        "still running; glibc keeps the image until that thread exits — avoid thread_local "
        "objects with destructors in modules";
  } else {
    *why = "something else still holds it open (another dlopen of the same file)";
  }
  return false;
}

}  // namespace hotmod::loader
