// The host's operations on Values that every module image is given (see
// hotmod/detail/value_ops.hpp): compiled here once, so a module's exported
// functions convert their arguments and results without instantiating
// nlohmann::json in every module.
#pragma once

#include "hotmod/detail/value_ops.hpp"
#include "hotmod/value_fwd.hpp"

namespace hotmod::loader {

const detail::ValueOps& value_ops();

// A module sees the host's Values as detail::AnyValue: the same object,
// under a type it can name without nlohmann::json.
inline const Value& as_value(const detail::AnyValue& v) {
  return reinterpret_cast<const Value&>(v);
}
inline Value& as_value(detail::AnyValue& v) {
  return reinterpret_cast<Value&>(v);
}
inline const detail::AnyValue& as_any(const Value& v) {
  return reinterpret_cast<const detail::AnyValue&>(v);
}
inline detail::AnyValue& as_any(Value& v) {
  return reinterpret_cast<detail::AnyValue&>(v);
}

}  // namespace hotmod::loader
