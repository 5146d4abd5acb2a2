#include "registry/backend.hpp"

#include <fmt/format.h>

#include "diag/stack_trace.hpp"
#include "script/script_module.hpp"

namespace hotmod::registry {
namespace {

class NativeBackend final : public Backend {
 public:
  explicit NativeBackend(const detail::ModuleDef& def) : def_(def) {}

  bool call(const std::string& module, const FunctionDef& fn, const Value& args, Value& result,
            Error& error) override {
    std::string what;
    // The function's own wrapper turns what it throws into `what`.
    const Failure failure = call_native(fn, args, result, what);
    if (failure == Failure::none) return true;
    // The trace stays in the message: it is what a console or `hotmod call` prints.
    const std::string trace = diag::take_throw_trace();  // dev mode: where
    error =
        Error{Stage::call, failure,
              fmt::format("module '{}': {}{}{}", module, what, trace.empty() ? "" : "\n", trace)};
    return false;
  }

  std::optional<Error> run_hook(Hook which, Context& context) override {
    void (*hook)(Context&) = which == Hook::load ? def_.on_load : def_.on_unload;
    if (hook != nullptr) hook(context);
    return std::nullopt;
  }

 private:
  const detail::ModuleDef& def_;
};

class ScriptBackend final : public Backend {
 public:
  ScriptBackend(std::shared_ptr<script::ScriptModule> interpreter,
                std::shared_ptr<script::ScriptVersion> version)
      : lua_(std::move(interpreter)), version_(std::move(version)) {}
  ~ScriptBackend() override { lua_->release(*version_); }

  bool call(const std::string&, const FunctionDef& fn, const Value& args, Value& result,
            Error& error) override {
    Result<Value> r = lua_->call(*version_, fn.name, args);  // errors name the module
    if (!r.ok()) {
      error = std::move(r.error());
      return false;
    }
    result = std::move(r.value());
    return true;
  }

  std::optional<Error> run_hook(Hook which, Context&) override {
    Result<Value> r = lua_->run_hook(*version_, which == Hook::load ? "on_load" : "on_unload");
    if (!r.ok()) return std::move(r.error());
    return std::nullopt;
  }

  void keep_load_changes() override { lua_->drop_snapshot(*version_); }
  void undo_load_changes() override { lua_->restore_state(*version_); }

 private:
  std::shared_ptr<script::ScriptModule> lua_;
  std::shared_ptr<script::ScriptVersion> version_;
};

}  // namespace

std::unique_ptr<Backend> native_backend(const detail::ModuleDef& def) {
  return std::make_unique<NativeBackend>(def);
}

std::unique_ptr<Backend> script_backend(std::shared_ptr<script::ScriptModule> interpreter,
                                        std::shared_ptr<script::ScriptVersion> version) {
  return std::make_unique<ScriptBackend>(std::move(interpreter), std::move(version));
}

}  // namespace hotmod::registry
