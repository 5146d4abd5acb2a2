// hotmod/ref.hpp — a typed reference that always reaches a module's current
// implementation of an interface.
//
//   hotmod::Ref<IRenderer> r = runtime.ref<IRenderer>("renderer").value();
//   r->draw(frame);          // pins the current version for this call
//
// `r->` returns a short-lived guard: the version is pinned until the end of
// the full expression, so a reload that happens meanwhile swaps the pointer
// for the next call and unloads the old image only after this call returns.
// Keep the raw pointer from `r.get()` only inside a `r.pin()` scope.
#pragma once

#include <memory>
#include <string>

#include "hotmod/detail/interface_cell.hpp"
#include "hotmod/pin.hpp"

namespace hotmod {

template <class I>
class Ref {
 public:
  // Pins the current version for as long as it lives.
  class Guard {
   public:
    explicit Guard(const detail::InterfaceCell* c) : pin_(c->domain) {
      void* p = c->impl.load(std::memory_order_acquire);
      if (p == nullptr) [[unlikely]]
        detail::throw_unavailable(*c);
      impl_ = static_cast<I*>(p);
    }
    I* operator->() const { return impl_; }
    I& operator*() const { return *impl_; }
    I* get() const { return impl_; }

   private:
    Pin pin_;
    I* impl_;
  };

  Ref() = default;
  // Made by Runtime::ref<I>() and Context::import<I>().
  explicit Ref(std::shared_ptr<const detail::InterfaceCell> cell) : cell_(std::move(cell)) {}

  Guard operator->() const { return Guard(cell_.get()); }
  Guard pin() const { return Guard(cell_.get()); }
  explicit operator bool() const { return cell_ != nullptr; }
  const std::string& module() const { return cell_->module; }

 private:
  std::shared_ptr<const detail::InterfaceCell> cell_;
};

}  // namespace hotmod
