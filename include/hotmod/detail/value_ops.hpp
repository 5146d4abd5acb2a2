// hotmod/detail/value_ops.hpp — how an exported function's arguments and
// result cross between the host's Values and the module's C++ types.
//
// The host has a table of operations on Values (ValueOps, handed to each
// call of an exported function), and a module converts numbers, bool, strings,
// sequences (std::vector, std::deque, ...) and string-keyed maps by calling
// through it, so it instantiates none of nlohmann::json: defining Value in a
// module costs over a second of compile time. Any other type converts with
// nlohmann::json's get<T>() and to_json/from_json, as a user type expects;
// that needs hotmod/value.hpp in the module, and says so when it is missing.
// Not for direct use: the table's layout follows abi::kVersion.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace hotmod::detail {

// A hotmod::Value, by address, in code that does not name the type: the
// host passes its Values as AnyValue and its operations cast them back.
struct AnyValue;

// hotmod::Value for any T, where hotmod/value_fwd.hpp is included.
template <class T>
struct JsonValue;

// nlohmann::basic_json (hotmod::Value), recognised without naming it.
template <class T>
concept JsonLike = requires {
  typename T::value_t;
  typename T::object_t;
  typename T::array_t;
  typename T::json_pointer;
};

enum class ValueKind : std::uint8_t {
  null,
  boolean,
  integer,           // signed
  unsigned_integer,  // what JSON text gives a non-negative integer
  floating,
  string,
  array,
  object,
  other,  // binary or discarded
};

// Why a call of an exported function failed. The host words it (through the
// operations below), so a module builds no message text.
struct CallProblem {
  std::size_t argument = 0;  // bad_arguments: which one (from 0)
  std::string why;           // bad_arguments: `got string "x"`; function_threw: what()
  bool not_std_exception = false;
};

// Operations on Values, compiled once in the host. Each takes a Value of the
// kind it names (the module checks `kind` first).
struct ValueOps {
  ValueKind (*kind)(const AnyValue& v);
  bool (*get_bool)(const AnyValue& v);
  std::int64_t (*get_int)(const AnyValue& v);    // integer
  std::uint64_t (*get_uint)(const AnyValue& v);  // unsigned_integer
  double (*get_double)(const AnyValue& v);       // any number
  const std::string& (*get_string)(const AnyValue& v);
  std::size_t (*size)(const AnyValue& v);  // array or object
  const AnyValue& (*element)(const AnyValue& array, std::size_t i);
  // Calls `fn(context, key, member)` for each member of an object in key
  // order until it returns false; returns whether it went through them all.
  bool (*each_member)(const AnyValue& object,
                      bool (*fn)(void* context, const std::string& key, const AnyValue& member),
                      void* context);
  // The kind and the start of the JSON text, for messages: `string "abc"`.
  std::string (*describe)(const AnyValue& v);

  void (*set_null)(AnyValue& v);
  void (*set_bool)(AnyValue& v, bool b);
  void (*set_int)(AnyValue& v, std::int64_t i);
  void (*set_uint)(AnyValue& v, std::uint64_t u);
  void (*set_double)(AnyValue& v, double d);
  void (*set_string)(AnyValue& v, std::string_view s);
  void (*set_array)(AnyValue& v, std::size_t reserve);          // empty
  AnyValue& (*append)(AnyValue& array);                         // a new null element
  void (*set_object)(AnyValue& v);                              // empty
  AnyValue& (*member)(AnyValue& object, std::string_view key);  // null when new

  // problem.why = `got <kind and text of v><suffix>`.
  void (*mismatch)(CallProblem& problem, const AnyValue& v, const char* suffix);
  // Puts the mismatch already in problem.why inside its container's:
  // `got <outer> (at [index]: <why>)`, `got <outer> (at "key": <why>)`.
  void (*nest_index)(CallProblem& problem, const AnyValue& outer, std::size_t index);
  void (*nest_key)(CallProblem& problem, const AnyValue& outer, std::string_view key);
  // problem.why = what (an exception's message).
  void (*threw)(CallProblem& problem, const char* what);
};

// ---- which types the host's operations convert ---------------------------

template <class T>
concept Sequence = !std::is_same_v<T, std::string> && requires(T & t, const T& c) {
  typename T::value_type;
  c.begin();
  c.end();
  c.size();
  t.clear();
  t.push_back(std::declval<typename T::value_type>());
};

template <class T>
concept StringKeyedMap = requires(T& t, const T& c) {
  typename T::mapped_type;
  requires std::is_same_v<typename T::key_type, std::string>;
  c.begin();
  c.end();
  t.clear();
  t.emplace(std::declval<std::string>(), std::declval<typename T::mapped_type>());
};

// True when T and everything inside it converts without nlohmann::json.
template <class T>
constexpr bool converted_by_host() {
  if constexpr (JsonLike<T>)  // itself a sequence of Values
    return false;
  else if constexpr (std::is_same_v<T, bool> || std::is_arithmetic_v<T> ||
                     std::is_same_v<T, std::string> || std::is_same_v<T, std::string_view>)
    return true;
  else if constexpr (StringKeyedMap<T>)
    return converted_by_host<typename T::mapped_type>();
  else if constexpr (Sequence<T>)
    return converted_by_host<typename T::value_type>();
  else
    return false;
}

// A result type the host's operations convert: the above, string views and C strings.
template <class T>
constexpr bool result_converted_by_host() {
  using U = std::remove_cvref_t<T>;
  return converted_by_host<U>() || std::is_same_v<U, const char*> || std::is_same_v<U, char*>;
}

// ---- Value -> T ----------------------------------------------------------

template <class T, class J = JsonValue<T>>
bool from_value_by_json(const ValueOps& ops, const AnyValue& v, T& out, CallProblem& problem) {
  static_assert(
      requires { sizeof(typename J::type); },
      "this exported function takes a type hotmod converts with nlohmann::json "
      "(to_json/from_json): include <hotmod/value.hpp> in the module");
  using V = typename J::type;
  try {
    out = reinterpret_cast<const V&>(v).template get<T>();
    return true;
  } catch (const std::exception& e) {
    ops.mismatch(problem, v, (std::string(" (") + e.what() + ")").c_str());
    return false;
  }
}

// Converts `v` to T, or has the host word in `problem` why it cannot.
template <class T>
bool from_value(const ValueOps& ops, const AnyValue& v, T& out, CallProblem& problem) {
  if constexpr (!converted_by_host<T>()) {
    return from_value_by_json<T>(ops, v, out, problem);
  } else {
    const ValueKind kind = ops.kind(v);
    auto got = [&](const char* suffix = "") {
      ops.mismatch(problem, v, suffix);
      return false;
    };
    if constexpr (std::is_same_v<T, bool>) {
      if (kind != ValueKind::boolean) return got();
      out = ops.get_bool(v);
    } else if constexpr (std::is_integral_v<T>) {
      if (kind == ValueKind::unsigned_integer) {
        const std::uint64_t u = ops.get_uint(v);
        if (u > static_cast<std::uint64_t>(std::numeric_limits<T>::max()))
          return got(", out of range");
        out = static_cast<T>(u);
      } else if (kind == ValueKind::integer) {
        const std::int64_t s = ops.get_int(v);
        if constexpr (std::is_signed_v<T>) {
          if (s < static_cast<std::int64_t>(std::numeric_limits<T>::min()) ||
              s > static_cast<std::int64_t>(std::numeric_limits<T>::max()))
            return got(", out of range");
        } else {
          if (s < 0) return got(", negative");
          if (static_cast<std::uint64_t>(s) > std::numeric_limits<T>::max())
            return got(", out of range");
        }
        out = static_cast<T>(s);
      } else {
        return got();
      }
    } else if constexpr (std::is_floating_point_v<T>) {
      if (kind != ValueKind::integer && kind != ValueKind::unsigned_integer &&
          kind != ValueKind::floating)
        return got();
      out = static_cast<T>(ops.get_double(v));
    } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::string_view>) {
      if (kind != ValueKind::string) return got();
      out = ops.get_string(v);  // a view into the call's arguments, which outlive the call
    } else if constexpr (StringKeyedMap<T>) {
      if (kind != ValueKind::object) return got();
      out.clear();
      struct Walk {
        const ValueOps& ops;
        const AnyValue& outer;
        T& out;
        CallProblem& problem;
      } walk{ops, v, out, problem};
      const bool all = ops.each_member(
          v,
          [](void* context, const std::string& key, const AnyValue& member) {
            Walk& w = *static_cast<Walk*>(context);
            typename T::mapped_type item{};
            if (!from_value(w.ops, member, item, w.problem)) {
              w.ops.nest_key(w.problem, w.outer, key);
              return false;
            }
            w.out.emplace(key, std::move(item));
            return true;
          },
          &walk);
      if (!all) return false;
    } else {  // Sequence
      if (kind != ValueKind::array) return got();
      out.clear();
      const std::size_t n = ops.size(v);
      if constexpr (requires { out.reserve(n); }) out.reserve(n);
      for (std::size_t i = 0; i < n; ++i) {
        typename T::value_type item{};
        if (!from_value(ops, ops.element(v, i), item, problem)) {
          ops.nest_index(problem, v, i);
          return false;
        }
        out.push_back(std::move(item));
      }
    }
    return true;
  }
}

// ---- T -> Value ----------------------------------------------------------

template <class T, class J = JsonValue<T>>
void to_value_by_json(AnyValue& out, const T& x) {
  static_assert(
      requires { sizeof(typename J::type); },
      "this exported function returns a type hotmod converts with nlohmann::json "
      "(to_json/from_json): include <hotmod/value.hpp> in the module");
  using V = typename J::type;
  reinterpret_cast<V&>(out) = V(x);
}

template <class T>
void to_value(const ValueOps& ops, AnyValue& out, const T& x) {
  if constexpr (!result_converted_by_host<T>()) {
    to_value_by_json<T>(out, x);
  } else if constexpr (std::is_same_v<T, bool>) {
    ops.set_bool(out, x);
  } else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
    ops.set_int(out, x);
  } else if constexpr (std::is_integral_v<T>) {
    ops.set_uint(out, x);
  } else if constexpr (std::is_floating_point_v<T>) {
    ops.set_double(out, static_cast<double>(x));
  } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::string_view>) {
    ops.set_string(out, x);
  } else if constexpr (std::is_pointer_v<T>) {  // a C string, null as JSON null
    if (x == nullptr)
      ops.set_null(out);
    else
      ops.set_string(out, x);
  } else if constexpr (StringKeyedMap<T>) {
    ops.set_object(out);
    for (const auto& [key, item] : x) to_value(ops, ops.member(out, key), item);
  } else {  // Sequence
    ops.set_array(out, x.size());
    for (const auto& item : x)
      to_value<typename T::value_type>(ops, ops.append(out), item);  // vector<bool>'s too
  }
}

}  // namespace hotmod::detail
