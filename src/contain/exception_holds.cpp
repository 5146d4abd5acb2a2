// A map under a mutex: only exceptions thrown in module code while a
// runtime exists are in it, and few live at once. No signal handler reads
// it.
#include "contain/exception_holds.hpp"

#include <dlfcn.h>
#include <link.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <unordered_map>

#include "contain/image_table.hpp"

namespace hotmod::contain {
namespace {

struct Held {
  ExceptionDestructor destroy;  // the exception's own; may be null
  const void* map;              // the image's link map
};

std::atomic<int> g_trackers{0};
std::atomic<std::size_t> g_live{0};  // live().size(), read without the lock

std::mutex& mu() {
  static auto* m = new std::mutex();  // exceptions may die during static destruction
  return *m;
}
std::unordered_map<void*, Held>& live() {  // by thrown object
  static auto* m = new std::unordered_map<void*, Held>();
  return *m;
}

void destroy_and_release(void* object) {
  ExceptionDestructor destroy = nullptr;
  {
    std::lock_guard lock(mu());
    if (auto it = live().find(object); it != live().end()) destroy = it->second.destroy;
  }
  // The image stays held while its code destroys the object.
  if (destroy != nullptr) destroy(object);
  std::lock_guard lock(mu());
  live().erase(object);
  g_live.store(live().size(), std::memory_order_relaxed);
}

}  // namespace

void track_exceptions() {
  g_trackers.fetch_add(1, std::memory_order_relaxed);
}

void untrack_exceptions() {
  g_trackers.fetch_sub(1, std::memory_order_relaxed);
}

ExceptionDestructor hold_image_for(void* object, ExceptionDestructor destroy,
                                   const void* throw_site) noexcept {
  // Already ours: libstdc++'s __cxa_throw hands the destructor our
  // __cxa_throw gave it to __cxa_init_primary_exception.
  if (g_trackers.load(std::memory_order_relaxed) <= 0 || destroy == &destroy_and_release)
    return destroy;
  dl_find_object found{};
  if (_dl_find_object(const_cast<void*>(throw_site), &found) != 0) return destroy;
  ImageFacts facts;
  if (!find_image(found.dlfo_link_map, &facts)) return destroy;  // thrown by the host
  try {
    std::lock_guard lock(mu());
    live().insert_or_assign(object, Held{destroy, found.dlfo_link_map});
    g_live.store(live().size(), std::memory_order_relaxed);
  } catch (...) {  // no memory for the record: thrown as it was, unheld
    return destroy;
  }
  return &destroy_and_release;
}

void forget_exception(void* object) noexcept {
  if (g_live.load(std::memory_order_relaxed) == 0) return;
  std::lock_guard lock(mu());
  live().erase(object);
  g_live.store(live().size(), std::memory_order_relaxed);
}

bool held_by_exception(void* handle) {
  link_map* map = nullptr;
  if (handle == nullptr || dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0) return false;
  std::lock_guard lock(mu());
  return std::any_of(live().begin(), live().end(),
                     [&](const auto& entry) { return entry.second.map == map; });
}

ExceptionDestructor held_exception_destructor() {
  return &destroy_and_release;
}

}  // namespace hotmod::contain
