// Backend: what a module's kind decides about one loaded version — how its
// functions are called, how its hooks run, what refusing it undoes and what
// releasing it means. One per kind of code: native (libraries and source
// modules: an image and the ModuleDef it registered) and Lua scripts. The
// transaction, the slot and the runtime's shutdown call these and never ask
// which kind a version is.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "hotmod/context.hpp"
#include "hotmod/module.hpp"
#include "hotmod/value.hpp"
#include "registry/function_def.hpp"

namespace hotmod::script {
class ScriptModule;
struct ScriptVersion;
}  // namespace hotmod::script

namespace hotmod::registry {

class Backend {
 public:
  enum class Hook { load, unload };

  virtual ~Backend() = default;  // releases what the version holds (a script's exports)

  // Calls `fn`, one of the version's functions: true with `result` set, or
  // false with `error` set (naming `module`). Out-parameters rather than a
  // Result: this is every dynamic call's path, and each Result moved on the
  // way costs. What escapes is the caller's to catch (diag::enter_module).
  virtual bool call(const std::string& module, const FunctionDef& fn, const Value& args,
                    Value& result, Error& error) = 0;
  // Runs a hook; nullopt when it ran or there is none, else what went wrong
  // (a script's error, its Failure saying whether it raised one or ran into
  // a limit). What a native hook throws escapes to the caller.
  virtual std::optional<Error> run_hook(Hook which, Context& context) = 0;
  // The version was committed: what loading it changed stays.
  virtual void keep_load_changes() {}
  // The version was refused after it was loaded: what loading it changed
  // (a script's hotmod.state) goes back.
  virtual void undo_load_changes() {}
};

// `def` lives in the version's image, which outlives the backend.
std::unique_ptr<Backend> native_backend(const detail::ModuleDef& def);
std::unique_ptr<Backend> script_backend(std::shared_ptr<script::ScriptModule> interpreter,
                                        std::shared_ptr<script::ScriptVersion> version);

}  // namespace hotmod::registry
