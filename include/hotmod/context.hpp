// hotmod/context.hpp — what a module receives in on_load / on_unload.
//
// The runtime implements Context and Logger; a module only calls through
// them, so modules never link against the hotmod library.
//
// Every module compiles this header, so it names the types of the event
// bus, config and imports without including their headers (each brings
// <functional>, <memory> or nlohmann::json: a third of a small module's
// compile time). Logging, the state and capabilities work with this header
// alone; using what bus(), subscribe(), config() and import() hand over
// takes hotmod/value.hpp (which includes events, Module handles and Refs).
#pragma once

#include <cstdint>
#include <string_view>

#include "hotmod/type_name.hpp"

namespace hotmod {

class EventBus;       // hotmod/events.hpp
class EventCallback;  // hotmod/events.hpp
class Module;         // hotmod/handle.hpp
template <class T>
class Result;  // hotmod/error.hpp
template <class I>
class Ref;  // hotmod/ref.hpp

namespace detail {
struct CellHandle;  // hotmod/detail/interface_cell.hpp
template <class T>
struct JsonValue;  // hotmod/value_fwd.hpp: Value, for any T
}  // namespace detail

enum class LogLevel { trace, debug, info, warn, error };

class Logger {
 public:
  virtual void log(LogLevel level, std::string_view message) = 0;
  void debug(std::string_view m) { log(LogLevel::debug, m); }
  void info(std::string_view m) { log(LogLevel::info, m); }
  void warn(std::string_view m) { log(LogLevel::warn, m); }
  void error(std::string_view m) { log(LogLevel::error, m); }

 protected:
  ~Logger() = default;
};

class Context {
 public:
  virtual std::string_view module_name() const = 0;
  // The runtime's event bus, as this version of the module sees it: every
  // subscription made through it (or with subscribe() below) belongs to this
  // version and is removed before it unloads, so no event can reach code
  // that is gone. A Subscription kept across a reload (in persistent state)
  // may still be reset or destroyed later.
  virtual EventBus& bus() = 0;
  virtual void subscribe(std::string_view topic, EventCallback callback) = 0;
  // This module's config section (null when none was given), a
  // hotmod::Value (C is only there to defer naming it to the call).
  template <class C = Context, class V = typename detail::JsonValue<C>::type>
  const V& config() const {
    return *static_cast<const V*>(config_data());
  }
  // What config() returns, untyped.
  virtual const void* config_data() const = 0;
  // Messages are prefixed with the module's name.
  virtual Logger& log() = 0;
  // How many times this module has been reloaded; 0 on the first load.
  virtual std::uint64_t reload_count() const = 0;
  // True when the persistent state was carried over from an earlier version
  // (kept or migrated), false when it was freshly constructed.
  virtual bool state_restored() const = 0;
  // The persistent state declared with HOTMOD_STATE(S, schema); S must be
  // that type. Null data when the module declares none.
  template <class S>
  S& state() {
    return *static_cast<S*>(state_data());
  }
  virtual void* state_data() = 0;

  // Another module, loaded on first use.
  virtual Result<Module> import(std::string_view module) = 0;
  template <class I, class C = Context>
  Result<Ref<I>> import(std::string_view module) {
    auto cell = static_cast<C*>(this)->import_interface(module, type_name<I>());
    if (!cell.ok()) return cell.error();
    return Ref<I>(std::move(cell.value().cell));
  }

  // Whether the host grants this module `capability` (hotmod.json's
  // "capabilities"). For checks at call time, through hotmod::context():
  //   if (!hotmod::context().has_capability("net:listen")) throw ...;
  virtual bool has_capability(std::string_view capability) const = 0;

 protected:
  ~Context() = default;
  // What import<I>() holds: the cell `module`'s implementation of `interface` is published in.
  virtual Result<detail::CellHandle> import_interface(std::string_view module,
                                                      std::string_view interface) = 0;
};

}  // namespace hotmod
