#include "registry/version.hpp"

#include <atomic>

namespace hotmod::registry {

std::uint64_t next_generation() {
  static std::atomic<std::uint64_t> counter{0};
  return ++counter;
}

}  // namespace hotmod::registry
