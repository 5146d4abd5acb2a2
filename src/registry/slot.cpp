#include "registry/slot.hpp"

#include "diag/stack_trace.hpp"
#include "pin/pin_domain.hpp"
#include "script/script_module.hpp"

namespace hotmod::registry {

Result<Value> Slot::call(std::string_view function, const Value& args) {
  Pin pin(&pin::domain());
  Version* v = current.load(std::memory_order_acquire);
  if (v == nullptr)
    return Error{"call", "module '" + name_ + "' is not loaded (the runtime has shut down)"};
  auto it = v->functions.find(function);
  if (it == v->functions.end()) {
    std::string known;
    for (const auto& f : v->def->functions) known += (known.empty() ? "" : ", ") + f.name;
    return Error{"call", "module '" + name_ + "' has no function '" + std::string(function) +
                             "'; it exports: " + (known.empty() ? "nothing" : known)};
  }
  diag::ModuleCode in_module;
  diag::HeapScope heap(heap_);
  if (v->script) {  // the pin keeps the version's exports alive
    return v->script->call(*v->script_version, function, args);  // errors name the module
  }
  Value result;
  std::string error;
  if (!it->second->invoke(args, result, error)) {
    std::string trace = diag::take_throw_trace();  // dev mode: where it was thrown
    return Error{"call", "module '" + name_ + "': " + error + (trace.empty() ? "" : "\n" + trace)};
  }
  return result;
}

}  // namespace hotmod::registry
