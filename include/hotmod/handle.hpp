// hotmod/handle.hpp — a dynamic handle on a module: call its exported
// functions by name with hotmod::Value arguments.
//
//   hotmod::Module m = runtime.module("greeter").value();
//   hotmod::Result<hotmod::Value> r = m.call("greet", "Ada", 3);
//
// Each call pins the module's current version for its duration, so a reload
// never unmaps code that is running. A wrong function name, argument count or
// argument type is an Error naming the function, the parameter and the
// expected type; an exception thrown by the function is an Error too.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "hotmod/error.hpp"
#include "hotmod/value_fwd.hpp"

namespace hotmod {

namespace detail {
// Value, once it is defined; otherwise a message saying how to define it
// (before anything of Result<Value> is instantiated, which would bury it).
template <class V>
struct Defined {
  static_assert(
      requires { sizeof(V); },
      "calling a module by name builds and reads hotmod::Value: include "
      "<hotmod/value.hpp>");
  using type = V;
};
}  // namespace detail

// Implemented by the runtime; modules reach it through Context::import.
class ModuleLink {
 public:
  virtual ~ModuleLink() = default;
  virtual const std::string& name() const = 0;
  // `args` is a JSON array of the arguments.
  virtual Result<Value> call(std::string_view function, const Value& args) = 0;
};

class Module {
 public:
  Module() = default;
  explicit Module(std::shared_ptr<ModuleLink> link) : link_(std::move(link)) {}

  // call(), call_with() and call_as() build and read Values: a module using
  // them includes hotmod/value.hpp. (Value is a template parameter so that
  // this header, which declares Value only, instantiates nothing of it.)
  template <class... Args, class V = Value>
  Result<typename detail::Defined<V>::type> call(std::string_view function, Args&&... args) const {
    V list = V::array();
    (list.push_back(V(std::forward<Args>(args))), ...);
    return link_->call(function, list);
  }
  // Calls with an already-built argument array.
  template <class V = Value>
  Result<typename detail::Defined<V>::type> call_with(std::string_view function,
                                                      const std::type_identity_t<V>& args) const {
    return link_->call(function, args);
  }
  // Calls and converts the result to R.
  template <class R, class... Args, class V = Value>
  Result<R> call_as(std::string_view function, Args&&... args) const {
    Result<typename detail::Defined<V>::type> r = call(function, std::forward<Args>(args)...);
    if (!r.ok()) return r.error();
    try {
      return r.value().template get<R>();
    } catch (const std::exception& e) {
      return Error{Stage::call, Failure::bad_result,
                   std::string(function) + ": result cannot be read as " +
                       std::string(type_name<R>()) + ": " + e.what()};
    }
  }

  const std::string& name() const { return link_->name(); }
  explicit operator bool() const { return link_ != nullptr; }

 private:
  std::shared_ptr<ModuleLink> link_;
};

}  // namespace hotmod
