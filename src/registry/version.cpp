#include "registry/version.hpp"

#include "runtime/module_context.hpp"

namespace hotmod::registry {

Version::~Version() = default;

}  // namespace hotmod::registry
