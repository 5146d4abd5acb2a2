#include "registry/slot.hpp"

#include <fmt/format.h>

#include "diag/module_entry.hpp"
#include "pin/pin_domain.hpp"

namespace hotmod::registry {

Result<Value> Slot::call(std::string_view function, const Value& args) {
  Pin pin(&pin::domain());
  Version* v = current.load(std::memory_order_acquire);
  if (v == nullptr)
    return Error{Stage::call, Failure::shutting_down,
                 fmt::format("module '{}' is not loaded (the runtime has shut down)", name_)};
  auto it = v->functions.find(function);
  if (it == v->functions.end()) {
    std::string known;
    for (const auto& f : v->function_list) known += (known.empty() ? "" : ", ") + f.name;
    return Error{Stage::call, Failure::unknown_function,
                 fmt::format("module '{}' has no function '{}'; it exports: {}", name_, function,
                             known.empty() ? "nothing" : known)};
  }
  // The pin keeps the version, its image and a script's exports alive; the
  // entry's catch is for what gets past the function's own wrapper.
  Value result;
  Error error;
  bool ok = false;
  std::optional<diag::Escaped> escaped = diag::enter_module(
      heap(), [&] { ok = v->backend->call(name_, *it->second, args, result, error); });
  if (!escaped) {
    if (ok) return result;
    return error;  // it names the module
  }
  if (escaped->stopped != Failure::none)
    return Error{Stage::call, escaped->stopped,
                 fmt::format("call to '{}' of {}; the module keeps serving other calls", function,
                             escaped->what),
                 escaped->trace};
  // The trace stays in the message: it is what a console or `hotmod call` prints.
  return Error{Stage::call, escaped->failure_or(Failure::function_threw),
               fmt::format("module '{}': {}{}{}", name_, escaped->what,
                           escaped->trace.empty() ? "" : "\n", escaped->trace)};
}

}  // namespace hotmod::registry
