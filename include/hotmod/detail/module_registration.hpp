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
#include <new>
#include <string_view>
#include <type_traits>
#include <utility>

#include "hotmod/abi.hpp"
#include "hotmod/context.hpp"
#include "hotmod/detail/value_ops.hpp"
#include "hotmod/failure.hpp"
#include "hotmod/type_name.hpp"

#define HOTMOD_DETAIL_CAT_(a, b) a##b
#define HOTMOD_DETAIL_CAT(a, b) HOTMOD_DETAIL_CAT_(a, b)
#define HOTMOD_DETAIL_UNIQUE(prefix) HOTMOD_DETAIL_CAT(prefix, __COUNTER__)

namespace hotmod {

struct OldState;  // hotmod/module.hpp

namespace detail {

// Calls the function with `args` (an array of its arity) into `result`.
// Failure::none on success; bad_arguments or function_threw with `problem`
// saying why.
using InvokeFn = Failure (*)(const ValueOps& ops, const AnyValue& args, AnyValue& result,
                             CallProblem& problem);

// One per HOTMOD_EXPORT, constant-initialized: the host words its signature
// and messages from these.
struct FunctionInfo {
  const char* name;
  const char* const* words;       // the doc string, then parameter names; null-terminated
  const std::string_view* types;  // the result's, then one per parameter
  std::size_t arity;
  InvokeFn invoke;
  FunctionInfo* next;  // the module's list, newest first
};

// One per HOTMOD_INTERFACE, constant-initialized.
struct InterfaceDef {
  std::string_view name;  // type_name<I>()
  void* (*create)();
  void (*destroy)(void*);
  InterfaceDef* next;  // the module's list, newest first
};

// The persistent state's layout and functions, constant-initialized. Its
// strings and functions live in the image that registered it.
struct StateDef {
  std::string_view type;
  std::size_t size = 0;
  std::size_t align = 0;
  std::uint32_t schema = 0;
  std::uint64_t fingerprint = 0;
  void (*construct)(void*) = nullptr;
  void (*destroy)(void*) = nullptr;
  void (*copy)(void* dst, const void* src) = nullptr;  // null: not copyable
};

// Everything a module registers, linked by static registrars when the image
// is opened, then read by the runtime. The runtime writes `state_data` and
// `context` before any hook runs. Trivially destructible and constant-
// initialized: registering costs a module a few stores, no library code.
struct ModuleDef {
  FunctionInfo* functions = nullptr;   // newest first
  InterfaceDef* interfaces = nullptr;  // newest first
  StateDef state;                      // size 0: no persistent state
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
  static constinit ModuleDef def;
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

// The fingerprint as the file declaring the module sees it: abi::current(),
// with nlohmann::json's version when hotmod/value_fwd.hpp is included above
// HOTMOD_MODULE (T only defers the check to that point).
template <class T = void>
constexpr abi::Fingerprint module_fingerprint() {
  abi::Fingerprint f = abi::current();
  if constexpr (requires { JsonValue<T>::version; }) f.json_version = JsonValue<T>::version;
  return f;
}

// `capabilities`: null-terminated. Too many to fit is a compile error.
constexpr abi::Record make_record(const char* name, const char* version,
                                  const abi::Fingerprint& fingerprint,
                                  const char* const* capabilities) {
  abi::Record r{};
  std::size_t at = 0;
  for (const char* const* c = capabilities; *c != nullptr; ++c) {
    if (**c == '\0') throw "HOTMOD_MODULE: a capability's name is empty";
    for (const char* p = *c; *p != '\0'; ++p) {
      // Room for this character, the name's end and the list's.
      if (at + 3 > sizeof r.capabilities)
        throw "HOTMOD_MODULE: the capabilities' names take more than 254 bytes";
      r.capabilities[at++] = *p;
    }
    r.capabilities[at++] = '\0';
  }
  r.magic = abi::kRecordMagic;
  r.record_size = sizeof(abi::Record);
  r.fingerprint = fingerprint;
  for (std::size_t i = 0; i + 1 < sizeof r.name && name[i] != '\0'; ++i) r.name[i] = name[i];
  for (std::size_t i = 0; i + 1 < sizeof r.version && version[i] != '\0'; ++i)
    r.version[i] = version[i];
  return r;
}

// ---- exported functions --------------------------------------------------

template <class T>
constexpr std::string_view friendly_type() {
  using U = std::remove_cvref_t<T>;
  if constexpr (std::is_same_v<U, std::string>)
    return "string";
  else if constexpr (JsonLike<U>)
    return "value";
  else if constexpr (std::is_same_v<U, bool>)
    return "bool";
  else if constexpr (std::is_void_v<U>)
    return "void";
  else
    return type_name<U>();
}

// The wrapper the host calls an exported function through: it converts the
// arguments (the host has checked that `args` is an array of the right
// length), calls, and converts the result. The host words the messages, so
// each exported function costs its module little code.
// An exported function's converted arguments, one member each. (A
// std::tuple costs a dozen functions per export in every module's compile.)
template <std::size_t I, class T>
struct Slot {
  T value{};
};
template <class Indices, class... T>
struct Slots;
template <std::size_t... I, class... T>
struct Slots<std::index_sequence<I...>, T...> : Slot<I, T>... {};

template <auto F>
struct Thunk;
template <class R, class... A, R (*F)(A...)>
struct Thunk<F> {
  static constexpr std::size_t arity = sizeof...(A);
  static constexpr std::string_view types[] = {friendly_type<R>(), friendly_type<A>()...};

  static Failure invoke(const ValueOps& ops, [[maybe_unused]] const AnyValue& args,
                        AnyValue& result, CallProblem& problem) {
    return call(ops, args, result, problem, std::index_sequence_for<A...>{});
  }

  template <std::size_t... I>
  static Failure call(const ValueOps& ops, [[maybe_unused]] const AnyValue& args, AnyValue& result,
                      CallProblem& problem, std::index_sequence<I...>) {
    [[maybe_unused]] Slots<std::index_sequence<I...>, std::remove_cvref_t<A>...> values;
    if (!((from_value(ops, ops.element(args, I),
                      static_cast<Slot<I, std::remove_cvref_t<A>>&>(values).value, problem) ||
           (problem.argument = I, false)) &&
          ...))
      return Failure::bad_arguments;
    try {
      if constexpr (std::is_void_v<R>) {
        F(static_cast<std::remove_cvref_t<A>&&>(
            static_cast<Slot<I, std::remove_cvref_t<A>>&>(values).value)...);
        ops.set_null(result);
      } else {
        to_value(ops, result,
                 F(static_cast<std::remove_cvref_t<A>&&>(
                     static_cast<Slot<I, std::remove_cvref_t<A>>&>(values).value)...));
      }
      return Failure::none;
    } catch (const std::exception& e) {
      ops.threw(problem, e.what());
    } catch (...) {
      problem.not_std_exception = true;
    }
    return Failure::function_threw;
  }
};

template <auto F>
constexpr FunctionInfo function_info(const char* name, const char* const* words) {
  return {name, words, Thunk<F>::types, Thunk<F>::arity, &Thunk<F>::invoke, nullptr};
}

// Puts a function on its module's list while the image's constructors run.
struct FunctionLink {
  explicit FunctionLink(FunctionInfo& f) noexcept {
    f.next = module_def().functions;
    module_def().functions = &f;
  }
};

// The persistent state's fingerprint: FNV-1a of its type name, over that of
// "size/align/schema".
constexpr std::uint64_t state_fingerprint(std::string_view type, std::size_t size,
                                          std::size_t align, std::uint32_t schema) {
  char text[64] = {};
  std::size_t n = 0;
  auto put = [&](std::uint64_t v) {
    char digits[20] = {};
    std::size_t d = 0;
    do digits[d++] = static_cast<char>('0' + v % 10);
    while ((v /= 10) != 0);
    while (d > 0) text[n++] = digits[--d];
  };
  put(size);
  text[n++] = '/';
  put(align);
  text[n++] = '/';
  put(schema);
  return fnv1a(type, fnv1a(std::string_view(text, n)));
}

template <class Interface, class Impl>
constexpr InterfaceDef interface_def() {
  static_assert(std::is_base_of_v<Interface, Impl>, "HOTMOD_INTERFACE: Impl must derive from I");
  static_assert(std::has_virtual_destructor_v<Interface>,
                "HOTMOD_INTERFACE: the interface needs a virtual destructor");
  return {type_name<Interface>(), []() -> void* { return static_cast<Interface*>(new Impl()); },
          [](void* p) { delete static_cast<Interface*>(p); }, nullptr};
}

// Puts an interface on its module's list while the image's constructors run.
struct InterfaceLink {
  explicit InterfaceLink(InterfaceDef& i) noexcept {
    i.next = module_def().interfaces;
    module_def().interfaces = &i;
  }
};

template <class S>
constexpr StateDef state_def() {
  static_assert(std::is_default_constructible_v<S>, "HOTMOD_STATE: needs a default constructor");
  StateDef d;
  d.type = type_name<S>();
  d.size = sizeof(S);
  d.align = alignof(S);
  d.construct = [](void* p) { new (p) S(); };
  d.destroy = [](void* p) { static_cast<S*>(p)->~S(); };
  if constexpr (std::is_copy_constructible_v<S>)
    d.copy = [](void* dst, const void* src) { new (dst) S(*static_cast<const S*>(src)); };
  return d;
}

// Makes the state its module's while the image's constructors run. The
// schema is any expression (HOTMOD_STATE's argument), so it is set here.
struct StateLink {
  StateLink(StateDef& d, std::uint32_t schema) noexcept {
    d.schema = schema;
    d.fingerprint = state_fingerprint(d.type, d.size, d.align, schema);
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
