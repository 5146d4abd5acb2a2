#include "registry/version.hpp"

#include <atomic>

#include "script/script_module.hpp"

namespace hotmod::registry {

Version::~Version() {
  if (script && script_version) script->release(*script_version);
}

std::uint64_t next_generation() {
  static std::atomic<std::uint64_t> counter{0};
  return ++counter;
}

}  // namespace hotmod::registry
