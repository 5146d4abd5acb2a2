#include "registry/slot.hpp"

#include "diag/module_entry.hpp"
#include "pin/pin_domain.hpp"
#include "script/script_module.hpp"

namespace hotmod::registry {

Result<Value> Slot::call(std::string_view function, const Value& args) {
  Pin pin(&pin::domain());
  Version* v = current.load(std::memory_order_acquire);
  if (v == nullptr)
    return Error{Stage::call, Failure::shutting_down,
                 "module '" + name_ + "' is not loaded (the runtime has shut down)"};
  auto it = v->functions.find(function);
  if (it == v->functions.end()) {
    std::string known;
    for (const auto& f : v->def->functions) known += (known.empty() ? "" : ", ") + f.name;
    return Error{Stage::call, Failure::unknown_function,
                 "module '" + name_ + "' has no function '" + std::string(function) +
                     "'; it exports: " + (known.empty() ? "nothing" : known)};
  }
  if (v->script) {  // the pin keeps the version's exports alive
    Result<Value> r = Error{};
    std::optional<diag::Escaped> escaped =
        diag::enter_module(heap_, [&] { r = v->script->call(*v->script_version, function, args); });
    if (escaped)
      return Error{Stage::call, Failure::function_threw,
                   "module '" + name_ + "': " + escaped->what};
    return r;  // errors name the module
  }
  Value result;
  std::string error;
  Failure failure = Failure::function_threw;
  // The function's own wrapper turns what it throws into `error`; the
  // entry's catch is for anything that gets past it.
  std::optional<diag::Escaped> escaped =
      diag::enter_module(heap_, [&] { failure = it->second->invoke(args, result, error); });
  if (failure == Failure::none && !escaped) return result;
  std::string trace = escaped ? escaped->trace : diag::take_throw_trace();  // dev mode: where
  if (escaped) {
    error = escaped->what;
    failure = Failure::function_threw;
  }
  // The trace stays in the message: it is what a console or `hotmod call` prints.
  return Error{Stage::call, failure,
               "module '" + name_ + "': " + error + (trace.empty() ? "" : "\n" + trace)};
}

}  // namespace hotmod::registry
