// hotmod/detail/module_registration.hpp — what the macros of
// hotmod/module.hpp expand to: the module's definition (functions,
// interfaces, state, hooks) filled by static registrars while the image's
// constructors run, the descriptor the loader reads, and the conversions of
// arguments and results. Not for direct use: names and layout follow
// abi::kVersion.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <initializer_list>
#include <limits>
#include <new>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "hotmod/abi.hpp"
#include "hotmod/context.hpp"
#include "hotmod/value.hpp"

#define HOTMOD_DETAIL_CAT_(a, b) a##b
#define HOTMOD_DETAIL_CAT(a, b) HOTMOD_DETAIL_CAT_(a, b)
#define HOTMOD_DETAIL_UNIQUE(prefix) HOTMOD_DETAIL_CAT(prefix, __COUNTER__)

namespace hotmod {

struct OldState;  // hotmod/module.hpp

namespace detail {

// Calls the function with `args` (a JSON array) into `result`. Failure::none
// on success; bad_arguments or function_threw with `error` saying why.
using InvokeFn = Failure (*)(const Value& args, Value& result, std::string& error);

struct FunctionDef {
  std::string name;
  std::string signature;  // e.g. "string greet(string who, int times)"
  std::string doc;
  InvokeFn invoke = nullptr;
};

struct InterfaceDef {
  std::string name;  // type_name<I>()
  void* (*create)() = nullptr;
  void (*destroy)(void*) = nullptr;
};

struct StateDef {
  std::string type;
  std::size_t size = 0;
  std::size_t align = 0;
  std::uint32_t schema = 0;
  std::uint64_t fingerprint = 0;
  void (*construct)(void*) = nullptr;
  void (*destroy)(void*) = nullptr;
  void (*copy)(void* dst, const void* src) = nullptr;  // null: not copyable
};

// Everything a module registers, filled by static registrars when the image
// is opened, then read by the runtime. The runtime writes `state` and
// `context` before any hook runs.
struct ModuleDef {
  std::vector<FunctionDef> functions;
  std::vector<InterfaceDef> interfaces;
  StateDef state;  // size 0: no persistent state
  void (*on_load)(Context&) = nullptr;
  void (*on_unload)(Context&) = nullptr;
  void (*self_test)() = nullptr;  // throws to fail
  void (*migrate)(const OldState&, void* new_state) = nullptr;
  void* state_data = nullptr;
  Context* context = nullptr;
  // Added in ABI version 2.
  void (*on_dependency_reloaded)(Context&, std::string_view dependency) = nullptr;
};

// One per image. Hidden: see the note at the top of this file.
[[gnu::visibility("hidden")]] inline ModuleDef& module_def() {
  static ModuleDef def;
  return def;
}

// What the exported `hotmod_module_descriptor` symbol holds.
struct Descriptor {
  abi::Fingerprint fingerprint;
  const char* name;
  const char* version;
  const char* description;
  const char* const* capabilities;  // null-terminated
  ModuleDef& (*definition)();
  const abi::Record* record;  // the `.hotmod_abi` record; referencing it keeps
                              // --gc-sections from dropping it
};

constexpr abi::Record make_record(const char* name, const char* version) {
  abi::Record r{};
  r.magic = abi::kRecordMagic;
  r.record_size = sizeof(abi::Record);
  r.fingerprint = abi::current();
  for (std::size_t i = 0; i + 1 < sizeof r.name && name[i] != '\0'; ++i) r.name[i] = name[i];
  for (std::size_t i = 0; i + 1 < sizeof r.version && version[i] != '\0'; ++i)
    r.version[i] = version[i];
  return r;
}

// ---- argument conversion -------------------------------------------------

template <class T>
std::string friendly_type() {
  using U = std::remove_cvref_t<T>;
  if constexpr (std::is_same_v<U, std::string>)
    return "string";
  else if constexpr (std::is_same_v<U, Value>)
    return "value";
  else if constexpr (std::is_same_v<U, bool>)
    return "bool";
  else if constexpr (std::is_void_v<U>)
    return "void";
  else
    return std::string(type_name<U>());
}

inline std::string describe(const Value& v) {
  std::string text = v.dump();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return std::string(v.type_name()) + " " + text;
}

// Converts `v` to T, or explains in `error` why it cannot.
template <class T>
bool from_value(const Value& v, T& out, std::string& error) {
  if constexpr (std::is_same_v<T, Value>) {
    out = v;
    return true;
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!v.is_boolean()) return error = "got " + describe(v), false;
    out = v.get<bool>();
    return true;
  } else if constexpr (std::is_integral_v<T>) {
    if (!v.is_number_integer()) return error = "got " + describe(v), false;
    if (v.is_number_unsigned()) {
      auto u = v.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(std::numeric_limits<T>::max()))
        return error = "got " + describe(v) + ", out of range", false;
      out = static_cast<T>(u);
    } else {
      auto s = v.get<std::int64_t>();
      if (std::is_unsigned_v<T> && s < 0) return error = "got " + describe(v) + ", negative", false;
      if constexpr (std::is_signed_v<T>) {
        if (s < static_cast<std::int64_t>(std::numeric_limits<T>::min()) ||
            s > static_cast<std::int64_t>(std::numeric_limits<T>::max()))
          return error = "got " + describe(v) + ", out of range", false;
      } else if (static_cast<std::uint64_t>(s) > std::numeric_limits<T>::max()) {
        return error = "got " + describe(v) + ", out of range", false;
      }
      out = static_cast<T>(s);
    }
    return true;
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!v.is_number()) return error = "got " + describe(v), false;
    out = v.get<T>();
    return true;
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!v.is_string()) return error = "got " + describe(v), false;
    out = v.get<std::string>();
    return true;
  } else {
    try {
      out = v.get<T>();
      return true;
    } catch (const std::exception& e) {
      error = "got " + describe(v) + " (" + e.what() + ")";
      return false;
    }
  }
}

template <class F>
struct FnTraits;
template <class R, class... A>
struct FnTraits<R (*)(A...)> {
  using Return = R;
  static constexpr std::size_t arity = sizeof...(A);
  using Args = std::tuple<std::remove_cvref_t<A>...>;
};

template <class Fn>
std::string signature(const char* name, const std::vector<std::string>& params) {
  using T = FnTraits<Fn>;
  std::string s = friendly_type<typename T::Return>() + " " + name + "(";
  std::size_t i = 0;
  auto one = [&]<class A>(std::type_identity<A>) {
    if (i > 0) s += ", ";
    s += friendly_type<A>();
    if (i < params.size()) s += " " + params[i];
    ++i;
  };
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (one(std::type_identity<std::tuple_element_t<I, typename T::Args>>{}), ...);
  }
  (std::make_index_sequence<T::arity>{});
  return s + ")";
}

// Argument i's name for messages: "argument 2 ('times')".
inline std::string arg_label(std::size_t i, const std::vector<std::string>& params) {
  std::string s = "argument " + std::to_string(i + 1);
  if (i < params.size()) s += " ('" + params[i] + "')";
  return s;
}

template <auto F>
struct Invoker {
  using T = FnTraits<decltype(F)>;
  // Function-local, not static data members: template statics have no
  // initialisation order relative to the registrar that fills them.
  struct Info {
    std::string name;
    std::vector<std::string> params;
    std::string sig;
  };
  static Info& info() {
    static Info i;
    return i;
  }

  static Failure invoke(const Value& args, Value& result, std::string& error) {
    const Info& in = info();
    if (!args.is_array() || args.size() != T::arity) {
      error = in.name + " takes " + std::to_string(T::arity) + " argument" +
              (T::arity == 1 ? "" : "s") + " (" + in.sig + "), got " +
              (args.is_array() ? std::to_string(args.size()) : describe(args));
      return Failure::bad_arguments;
    }
    typename T::Args values;
    bool ok = true;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((ok = ok && convert<I>(args[I], std::get<I>(values), error)), ...);
    }
    (std::make_index_sequence<T::arity>{});
    if (!ok) return Failure::bad_arguments;
    try {
      if constexpr (std::is_void_v<typename T::Return>) {
        std::apply(F, std::move(values));
        result = nullptr;
      } else {
        result = Value(std::apply(F, std::move(values)));
      }
      return Failure::none;
    } catch (const std::exception& e) {
      error = in.name + " threw: " + e.what();
    } catch (...) {
      error = in.name + " threw an exception that is not a std::exception";
    }
    return Failure::function_threw;
  }

  template <std::size_t I, class A>
  static bool convert(const Value& v, A& out, std::string& error) {
    std::string why;
    if (from_value(v, out, why)) return true;
    error = info().name + ": " + arg_label(I, info().params) + " must be " + friendly_type<A>() +
            ", " + why;
    return false;
  }
};

template <auto F>
struct FunctionRegistrar {
  FunctionRegistrar(const char* name, std::initializer_list<const char*> doc_and_params) {
    auto& in = Invoker<F>::info();
    std::string doc;
    in.name = name;
    in.params.clear();
    std::size_t i = 0;
    for (const char* s : doc_and_params) {
      if (i++ == 0)
        doc = s;  // the first is the doc string, the rest parameter names
      else
        in.params.emplace_back(s);
    }
    in.sig = signature<decltype(F)>(name, in.params);
    module_def().functions.push_back({name, in.sig, doc, &Invoker<F>::invoke});
  }
};

template <class Interface, class Impl>
struct InterfaceRegistrar {
  static_assert(std::is_base_of_v<Interface, Impl>, "HOTMOD_INTERFACE: Impl must derive from I");
  static_assert(std::has_virtual_destructor_v<Interface>,
                "HOTMOD_INTERFACE: the interface needs a virtual destructor");
  InterfaceRegistrar() {
    module_def().interfaces.push_back(
        {std::string(type_name<Interface>()),
         []() -> void* { return static_cast<Interface*>(new Impl()); },
         [](void* p) { delete static_cast<Interface*>(p); }});
  }
};

template <class S>
struct StateRegistrar {
  explicit StateRegistrar(std::uint32_t schema) {
    static_assert(std::is_default_constructible_v<S>, "HOTMOD_STATE: needs a default constructor");
    StateDef d;
    d.type = std::string(type_name<S>());
    d.size = sizeof(S);
    d.align = alignof(S);
    d.schema = schema;
    d.fingerprint = fnv1a(d.type, fnv1a(std::to_string(d.size) + "/" + std::to_string(d.align) +
                                        "/" + std::to_string(schema)));
    d.construct = [](void* p) { new (p) S(); };
    d.destroy = [](void* p) { static_cast<S*>(p)->~S(); };
    if constexpr (std::is_copy_constructible_v<S>)
      d.copy = [](void* dst, const void* src) { new (dst) S(*static_cast<const S*>(src)); };
    module_def().state = d;
  }
};

template <class S>
struct MigrateRegistrar {
  explicit MigrateRegistrar(void (*fn)(const OldState&, S&)) {
    static void (*user)(const OldState&, S&) = nullptr;
    user = fn;
    module_def().migrate = [](const OldState& old, void* s) { user(old, *static_cast<S*>(s)); };
  }
};

template <class S>
MigrateRegistrar<S> make_migrate(void (*fn)(const OldState&, S&)) {
  return MigrateRegistrar<S>(fn);
}

struct HookRegistrar {
  enum Kind { load, unload };
  HookRegistrar(Kind k, void (*fn)(Context&)) {
    (k == load ? module_def().on_load : module_def().on_unload) = fn;
  }
  explicit HookRegistrar(void (*self_test)()) { module_def().self_test = self_test; }
  explicit HookRegistrar(void (*dependency_reloaded)(Context&, std::string_view)) {
    module_def().on_dependency_reloaded = dependency_reloaded;
  }
};

}  // namespace detail

}  // namespace hotmod
