// hotmod/detail/interface_cell.hpp — what a Ref<I> holds: the place the
// runtime publishes a module's implementation of one interface. Not for
// hosts or modules to use directly; Ref<I> (hotmod/ref.hpp) is the API.
#pragma once

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>

#include "hotmod/pin.hpp"

namespace hotmod::detail {

// Owned by the runtime for as long as any Ref holds it; `impl` is swapped on
// reload and cleared when the runtime shuts down.
struct InterfaceCell {
  std::atomic<void*> impl{nullptr};
  PinDomain* domain = nullptr;
  std::string module;     // which module implements it
  std::string interface;  // hotmod::type_name<I>()
};

// What Context::import<I>() receives: a class, so that hotmod/context.hpp
// can declare it without <memory>.
struct CellHandle {
  std::shared_ptr<const InterfaceCell> cell;
};

[[noreturn, gnu::noinline, gnu::cold]] inline void throw_unavailable(const InterfaceCell& c) {
  throw std::runtime_error("hotmod: interface '" + c.interface + "' of module '" + c.module +
                           "' is not available: the runtime has shut down");
}

}  // namespace hotmod::detail
