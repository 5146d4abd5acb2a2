// hotmod/module.hpp — what a module author includes.
//
//   #include <hotmod/module.hpp>
//
//   HOTMOD_MODULE("greeter", "1.0.0", "Says hello");   // once per module
//
//   std::string greet(std::string who, int times) { ... }
//   HOTMOD_EXPORT(greet, "Greets someone", "who", "times");
//
//   struct State { int greeted = 0; };
//   HOTMOD_STATE(State, 1);          // kept across reloads; bump 1 on change
//
//   void on_load(hotmod::Context& ctx) { ctx.log().info("ready"); }
//   HOTMOD_ON_LOAD(on_load);
//
// Typed interfaces for hot paths: HOTMOD_INTERFACE(IRenderer, AsciiRenderer)
// publishes a `new AsciiRenderer` for hosts holding a Ref<IRenderer>.
//
// Imports: `ctx.import("utils.strings")` (or `ctx.import<IStrings>(...)` for a
// Ref) loads another module first if needed and records that this module
// depends on it. Imports may not form a cycle: the import that would close
// one fails with an error naming every module in it. After a module
// reloads, every loaded module importing it, directly or not, is told so,
// each after the other dependents it imports:
//
//   void on_dependency_reloaded(hotmod::Context& ctx, std::string_view dependency) {
//     if (dependency == "utils.strings") cached_table = nullptr;  // rebuild lazily
//   }
//   HOTMOD_ON_DEPENDENCY_RELOADED(on_dependency_reloaded);
//
// It runs on the thread that reloaded the dependency (in dev mode, the
// watcher's worker), under this module's lock like on_load, with no other
// module's lock held. Refs and Module handles already reach the new
// version, so only what was derived from the old one (cached results,
// pointers it returned) needs refreshing. An exception it throws is logged
// and changes nothing. The imports a version records are its own: a new
// version that no longer imports a module is no longer told about it.
//
// The macros below are the whole interface; what they expand to (the
// registrars, the descriptor's types) is in hotmod/detail/ and may change
// with the ABI version.
//
// Build modules with hidden visibility (hotmod_add_module() in CMake does):
// only the descriptor symbol needs to be exported, and exported inline
// statics become STB_GNU_UNIQUE symbols that keep an image from unloading.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "hotmod/context.hpp"
#include "hotmod/detail/module_registration.hpp"

namespace hotmod {

// The state of the previous version, handed to a migration hook when the
// layout changed. `as<T>()` gives the bytes as an old layout you kept around
// (e.g. `struct StateV1`), or nullptr when size or alignment do not match.
struct OldState {
  std::string type;
  std::size_t size = 0;
  std::size_t align = 0;
  std::uint32_t schema = 0;
  const void* data = nullptr;
  template <class T>
  const T* as() const {
    return sizeof(T) == size && alignof(T) == align ? static_cast<const T*>(data) : nullptr;
  }
};

// The module's persistent state, valid from on_load until on_unload returns.
template <class S>
S& state() {
  return *static_cast<S*>(detail::module_def().state_data);
}

// The module's context, for code outside the hooks (e.g. exported functions).
inline Context& context() {
  return *detail::module_def().context;
}

}  // namespace hotmod

// Declares the module: name, version string, description, then the
// capabilities it requires ("fs:read", "net:listen", ...). Once per module.
#define HOTMOD_MODULE(name, version, description, ...)                                       \
  static constexpr const char* hotmod_capabilities_[] = {__VA_OPT__(__VA_ARGS__, ) nullptr}; \
  [[gnu::section(".hotmod_abi"),                                                             \
    gnu::used]] static constexpr ::hotmod::abi::Record hotmod_abi_record_ =                  \
      ::hotmod::detail::make_record(name, version, ::hotmod::detail::module_fingerprint(),   \
                                    hotmod_capabilities_);                                   \
  extern "C" [[gnu::visibility("default"),                                                   \
               gnu::used]] const ::hotmod::detail::Descriptor hotmod_module_descriptor = {   \
      ::hotmod::detail::module_fingerprint(),                                                \
      name,                                                                                  \
      version,                                                                               \
      description,                                                                           \
      hotmod_capabilities_,                                                                  \
      &::hotmod::detail::module_def,                                                         \
      &hotmod_abi_record_}

// Exports a plain function; optional doc string, then parameter names.
// Arguments and results of standard types (numbers, bool, std::string,
// vectors and other sequences, string-keyed maps of these) convert through
// the host; any other type through nlohmann::json's to_json/from_json, for
// which the module includes <hotmod/value.hpp>.
#define HOTMOD_EXPORT(fn, ...) \
  HOTMOD_DETAIL_EXPORT(fn, HOTMOD_DETAIL_UNIQUE(hotmod_export_) __VA_OPT__(, ) __VA_ARGS__)
#define HOTMOD_DETAIL_EXPORT(fn, id, ...)                                                         \
  /* not constexpr: a doc string may be any const char* */                                        \
  static const char* const HOTMOD_DETAIL_CAT(id, _words)[] = {__VA_OPT__(__VA_ARGS__, ) nullptr}; \
  static constinit ::hotmod::detail::FunctionInfo id =                                            \
      ::hotmod::detail::function_info<&fn>(#fn, HOTMOD_DETAIL_CAT(id, _words));                   \
  static const ::hotmod::detail::FunctionLink HOTMOD_DETAIL_CAT(id, _link)(id)

// Publishes `new Impl` as the module's implementation of `Interface`.
#define HOTMOD_INTERFACE(Interface, Impl) \
  HOTMOD_DETAIL_INTERFACE(Interface, Impl, HOTMOD_DETAIL_UNIQUE(hotmod_iface_))
#define HOTMOD_DETAIL_INTERFACE(Interface, Impl, id)      \
  static constinit ::hotmod::detail::InterfaceDef id =    \
      ::hotmod::detail::interface_def<Interface, Impl>(); \
  static const ::hotmod::detail::InterfaceLink HOTMOD_DETAIL_CAT(id, _link)(id)

// Declares the persistent state type and its schema number. Bump the schema
// when a member changes meaning without changing size: the runtime compares
// type name, size, alignment and schema, and never reinterprets a mismatch.
#define HOTMOD_STATE(Type, schema) \
  HOTMOD_DETAIL_STATE(Type, schema, HOTMOD_DETAIL_UNIQUE(hotmod_state_))
#define HOTMOD_DETAIL_STATE(Type, schema, id)                                           \
  static constinit ::hotmod::detail::StateDef id = ::hotmod::detail::state_def<Type>(); \
  static const ::hotmod::detail::StateLink HOTMOD_DETAIL_CAT(id, _link)(id, schema)

// void fn(const hotmod::OldState& old, State& fresh): fills the freshly
// constructed state from the old one when the layout changed.
#define HOTMOD_MIGRATE(fn) \
  static const auto HOTMOD_DETAIL_UNIQUE(hotmod_migrate_) = ::hotmod::detail::make_migrate(&fn)

#define HOTMOD_ON_LOAD(fn)                                                         \
  static const ::hotmod::detail::HookRegistrar HOTMOD_DETAIL_UNIQUE(hotmod_hook_)( \
      ::hotmod::detail::HookRegistrar::load, &fn)
#define HOTMOD_ON_UNLOAD(fn)                                                       \
  static const ::hotmod::detail::HookRegistrar HOTMOD_DETAIL_UNIQUE(hotmod_hook_)( \
      ::hotmod::detail::HookRegistrar::unload, &fn)
// void fn(): runs after the new version is opened and before the old one is
// unloaded; throwing refuses the new version.
#define HOTMOD_SELF_TEST(fn) \
  static const ::hotmod::detail::HookRegistrar HOTMOD_DETAIL_UNIQUE(hotmod_hook_)(&fn)
// void fn(hotmod::Context& ctx, std::string_view dependency): `dependency`,
// which this module imports directly or not, was reloaded (see the top of
// this file).
#define HOTMOD_ON_DEPENDENCY_RELOADED(fn) \
  static const ::hotmod::detail::HookRegistrar HOTMOD_DETAIL_UNIQUE(hotmod_hook_)(&fn)
