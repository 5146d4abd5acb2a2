// A module's persistent state: storage owned by the runtime, constructed and
// destroyed by module code. `def` holds the functions of the version whose
// image will destroy the object, so a box is always retired together with
// that version.
#pragma once

#include <new>

#include "hotmod/module.hpp"
#include "hotmod/value.hpp"

namespace hotmod::registry {

struct StateBox {
  void* data = nullptr;
  detail::StateDef def;

  bool empty() const { return data == nullptr; }

  static StateBox construct(const detail::StateDef& def) {
    StateBox b;
    b.def = def;
    b.data = ::operator new(def.size, std::align_val_t(def.align));
    try {
      def.construct(b.data);
    } catch (...) {
      ::operator delete(b.data, std::align_val_t(def.align));
      throw;
    }
    return b;
  }
  // A copy made with the copy constructor of `def`'s image; empty when the
  // type is not copyable. Both factories free the storage and rethrow when
  // the module's constructor throws.
  static StateBox copy_of(const StateBox& from) {
    StateBox b;
    if (from.empty() || from.def.copy == nullptr) return b;
    b.def = from.def;
    b.data = ::operator new(from.def.size, std::align_val_t(from.def.align));
    try {
      from.def.copy(b.data, from.data);
    } catch (...) {
      ::operator delete(b.data, std::align_val_t(from.def.align));
      throw;
    }
    return b;
  }
  void destroy() {
    if (data == nullptr) return;
    def.destroy(data);
    ::operator delete(data, std::align_val_t(def.align));
    data = nullptr;
  }
};

}  // namespace hotmod::registry
