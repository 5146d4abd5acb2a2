#include "registry/version.hpp"

#include "runtime/module_context.hpp"
#include "script/script_module.hpp"

namespace hotmod::registry {

Version::~Version() {
  if (script && script_version) script->release(*script_version);
}

}  // namespace hotmod::registry
