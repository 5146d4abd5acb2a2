// A plain list under a mutex: only exceptions thrown in module code while a
// dev-mode runtime exists are in it, and few live at once. No signal
// handler reads it.
#include "contain/exception_holds.hpp"

#include <dlfcn.h>
#include <link.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <vector>

#include "contain/image_table.hpp"

namespace hotmod::contain {
namespace {

struct Held {
  void* object;
  ExceptionDestructor destroy;  // the exception's own; may be null
  const void* map;              // the image's link map
};

std::atomic<int> g_trackers{0};

std::mutex& mu() {
  static auto* m = new std::mutex();  // exceptions may die during static destruction
  return *m;
}
std::vector<Held>& live() {
  static auto* v = new std::vector<Held>();
  return *v;
}

void destroy_and_release(void* object) {
  ExceptionDestructor destroy = nullptr;
  {
    std::lock_guard lock(mu());
    for (const Held& h : live())
      if (h.object == object) destroy = h.destroy;
  }
  // The image stays held while its code destroys the object.
  if (destroy != nullptr) destroy(object);
  std::lock_guard lock(mu());
  std::vector<Held>& l = live();
  if (auto it = std::find_if(l.begin(), l.end(), [&](const Held& h) { return h.object == object; });
      it != l.end())
    l.erase(it);
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
  if (g_trackers.load(std::memory_order_relaxed) <= 0) return destroy;
  dl_find_object found{};
  if (_dl_find_object(const_cast<void*>(throw_site), &found) != 0) return destroy;
  ImageFacts facts;
  if (!find_image(found.dlfo_link_map, &facts)) return destroy;  // thrown by the host
  try {
    std::lock_guard lock(mu());
    live().push_back({object, destroy, found.dlfo_link_map});
  } catch (...) {  // no memory for the record: thrown as it was, unheld
    return destroy;
  }
  return &destroy_and_release;
}

bool held_by_exception(void* handle) {
  link_map* map = nullptr;
  if (handle == nullptr || dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0) return false;
  std::lock_guard lock(mu());
  return std::any_of(live().begin(), live().end(), [&](const Held& h) { return h.map == map; });
}

}  // namespace hotmod::contain
