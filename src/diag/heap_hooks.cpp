// hotmod's replacement of the global operator new and delete, every form:
// plain and array, nothrow, aligned, sized. They allocate with malloc (or
// posix_memalign) and free with free, like libstdc++'s, and tell the heap
// accounting (heap_records.hpp) about each allocation and delete.
//
// Modules reach them because the host exports them: the hotmod target adds
// --export-dynamic-symbol for each mangled name (src/CMakeLists.txt), and a
// module's undefined operator new binds to the executable's definition
// before libstdc++'s. <new> declares them with default visibility, so a host
// built with -fvisibility=hidden still exports them.
#include <cerrno>
#include <cstdlib>
#include <new>

#include "diag/heap_records.hpp"

namespace hotmod::diag {
bool heap_hooks_linked() {
  return true;
}
}  // namespace hotmod::diag

namespace {

using hotmod::diag::heap_records::after_new;
using hotmod::diag::heap_records::before_delete;

// What the standard asks of a failed allocation: call the new-handler and
// try again, or throw bad_alloc when there is none.
void out_of_memory() {
  std::new_handler handler = std::get_new_handler();
  if (handler == nullptr) throw std::bad_alloc();
  handler();
}

void* allocate(std::size_t size) {
  // Every operator new must return a distinct pointer, size 0 included.
  const std::size_t bytes = size == 0 ? 1 : size;
  void* p = nullptr;
  while ((p = std::malloc(bytes)) == nullptr) out_of_memory();
  after_new(p, size);
  return p;
}

void* allocate(std::size_t size, std::align_val_t align) {
  std::size_t alignment = static_cast<std::size_t>(align);
  if (alignment < sizeof(void*)) alignment = sizeof(void*);  // posix_memalign's minimum
  const std::size_t bytes = size == 0 ? 1 : size;
  void* p = nullptr;
  for (;;) {
    const int rc = posix_memalign(&p, alignment, bytes);
    if (rc == 0) break;
    if (rc != ENOMEM) throw std::bad_alloc();  // not a power of two
    out_of_memory();
  }
  after_new(p, size);
  return p;
}

void release(void* p) noexcept {
  before_delete(p);
  std::free(p);
}

}  // namespace

void* operator new(std::size_t size) {
  return allocate(size);
}
void* operator new[](std::size_t size) {
  return allocate(size);
}
void* operator new(std::size_t size, std::align_val_t align) {
  return allocate(size, align);
}
void* operator new[](std::size_t size, std::align_val_t align) {
  return allocate(size, align);
}

void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(std::size_t size, std::align_val_t align, const std::nothrow_t&) noexcept {
  try {
    return allocate(size, align);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, std::align_val_t align, const std::nothrow_t&) noexcept {
  try {
    return allocate(size, align);
  } catch (...) {
    return nullptr;
  }
}

void operator delete(void* p) noexcept {
  release(p);
}
void operator delete[](void* p) noexcept {
  release(p);
}
void operator delete(void* p, std::size_t) noexcept {
  release(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  release(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
  release(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  release(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  release(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  release(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  release(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  release(p);
}
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  release(p);
}
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  release(p);
}
