// Stands in for module code in the diag tests: a shared library built with
// hidden visibility that allocates through operator new in each form (its
// references to operator new and delete bind to the host's exported ones),
// and says how many bytes each allocation asked for.
#include <cstddef>
#include <new>

#define PROBE_API extern "C" __attribute__((visibility("default")))

namespace {
struct Plain {  // new / sized delete
  char bytes[40];
};
struct alignas(64) Wide {  // aligned new / aligned sized delete
  char bytes[192];
};
}  // namespace

PROBE_API char* probe_new_array(std::size_t n) {
  return new char[n];
}
PROBE_API void probe_delete_array(char* p) {
  delete[] p;
}

PROBE_API std::size_t probe_object_size() {
  return sizeof(Plain);
}
PROBE_API void* probe_new_object() {
  return new Plain;
}
PROBE_API void probe_delete_object(void* p) {
  delete static_cast<Plain*>(p);
}

PROBE_API std::size_t probe_aligned_size() {
  return sizeof(Wide);
}
PROBE_API std::size_t probe_aligned_alignment() {
  return alignof(Wide);
}
PROBE_API void* probe_new_aligned() {
  return new Wide;
}
PROBE_API void probe_delete_aligned(void* p) {
  delete static_cast<Wide*>(p);
}

PROBE_API char* probe_new_nothrow(std::size_t n) {
  return new (std::nothrow) char[n];
}
