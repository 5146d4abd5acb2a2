// The first half of the reload transaction for script modules:
//
//   copy      read the .lua file once (its identity tells later changes)
//   open      compile and run the chunk in a fresh sandboxed environment of
//             the module's interpreter (created by the first load)
//   validate  the capabilities it declares; its exported functions
//
// A failure leaves nothing reachable from the interpreter, and the running
// version (its exports, its environment, hotmod.state) untouched: the
// snapshot of hotmod.state taken before the chunk ran is restored. A
// prepared version keeps its snapshot until commit() drops it, or restores
// it when the version's on_load fails.
#include <fmt/format.h>

#include <chrono>

#include "log/runtime_log.hpp"
#include "pin/pin_domain.hpp"
#include "reload/module_context.hpp"
#include "reload/prepare.hpp"
#include "reload/thread_frame.hpp"
#include "script/script_module.hpp"

namespace hotmod::reload {
namespace {

using Clock = std::chrono::steady_clock;

// The context script code acts through right now: the version of this
// module being loaded on this thread (its chunk may call other scripts,
// whose imports are theirs), else the module's current one.
registry::VersionContext* acting_context(const std::weak_ptr<registry::Slot>& weak,
                                         const std::string& module) {
  const registry::Version* loading = this_thread_frame().script_version;
  if (loading != nullptr && loading->module == module) return loading->context.get();
  auto slot = weak.lock();
  registry::Version* v = slot ? slot->current.load(std::memory_order_acquire) : nullptr;
  return v != nullptr ? v->context.get() : nullptr;
}

std::shared_ptr<script::ScriptModule> make_interpreter(Host& host, registry::Slot& slot) {
  std::weak_ptr<registry::Slot> weak = slot.weak_from_this();
  const std::string name = slot.name();
  script::ScriptHost calls;
  calls.import = [&host, weak, name](std::string_view module) -> Result<std::vector<std::string>> {
    registry::VersionContext* ctx = acting_context(weak, name);
    if (ctx == nullptr)
      return Error{Stage::import, Failure::not_loaded,
                   fmt::format("module '{}' is not loaded; it cannot import", name)};
    Result<Module> m = ctx->import(module);
    if (!m.ok()) return m.error();
    std::vector<std::string> names;
    if (auto target = host.find(module)) {
      Pin pin(&pin::domain());  // the version read stays while its names are copied
      if (const registry::Version* cur = target->current.load(std::memory_order_acquire))
        for (const auto& fn : cur->function_list) names.push_back(fn.name);
    }
    return names;
  };
  calls.call = [&host](std::string_view module, std::string_view function,
                       const Value& args) -> Result<Value> {
    Result<Module> m = host.module(module);
    if (!m.ok()) return m.error();
    return m->call_with(function, args);
  };
  calls.log = [&host, name](LogLevel level, std::string_view text) {
    log::RuntimeLog& out = host.log();
    if (!out.enabled(level)) return;
    std::string line;
    line.append("[").append(name).append("] ").append(text);
    out.write(level, line, nullptr, 0);
  };
  calls.granted = [&host, name](std::string_view capability) {
    return host.capability_granted(name, capability);
  };
  if (const Value* config = host.config_for(name)) calls.config = *config;
  const RuntimeOptions::Limits& limits = host.limits();
  return std::make_shared<script::ScriptModule>(
      name, std::move(calls),
      script::ScriptLimits{limits.script_instructions, limits.script_memory_mb << 20});
}

}  // namespace

std::shared_ptr<registry::Version> prepare_script(Host& host, registry::Slot& slot, StageTimes& t,
                                                  Error* f, loader::FileSnapshot* read) {
  auto v = std::make_shared<registry::Version>();
  v->generation = registry::next_generation();
  v->module = slot.name();
  const std::filesystem::path file = slot.path();
  auto mark = Clock::now();
  auto lap = [&](std::chrono::nanoseconds* into) {
    const auto now = Clock::now();
    *into += now - mark;
    mark = now;
  };

  std::filesystem::path checked = file;  // resolved in production: see prepare()
  if (!trusted(host, slot, file, f, &checked) || !read_module_file(slot, checked, *v, read, f))
    return nullptr;
  const std::string text(v->source.bytes.begin(), v->source.bytes.end());
  v->source.bytes = {};
  lap(&t.copy);

  if (!slot.lua) slot.lua = make_interpreter(host, slot);
  v->context = std::make_unique<ModuleContext>(host, slot.name(), v->generation,
                                               host.config_for(slot.name()));
  Result<std::shared_ptr<script::ScriptVersion>> loaded = [&] {
    ScriptVersionScope loading(v.get());
    return slot.lua->load(text, file.filename().string());
  }();
  lap(&t.open);
  if (!loaded.ok()) {
    *f = loaded.error();
    f->message = fmt::format("module '{}': {}", slot.name(), f->message);
    return nullptr;  // nothing to release
  }
  const script::ScriptVersion& sv = *loaded.value();
  v->backend = registry::script_backend(slot.lua, loaded.value());

  v->version = sv.version;
  v->description = sv.description;
  for (const std::string& c : sv.capabilities) {
    v->capabilities.push_back(c);
    if (!host.capability_granted(slot.name(), c)) {
      *f = Error{Stage::validate, Failure::missing_capability,
                 host.capability_refusal(slot.name(), c)};
      v->backend->undo_load_changes();  // what its chunk wrote is undone
      lap(&t.validate);
      return nullptr;  // ~Version releases the exports
    }
  }
  v->script_def = std::make_unique<detail::ModuleDef>();
  for (const script::ScriptFunction& fn : sv.functions)
    v->function_list.push_back({fn.name, fn.signature, "", {}, nullptr});
  v->def = v->script_def.get();
  for (const auto& fn : v->function_list) v->functions.emplace(fn.name, &fn);
  v->context->set_definition(v->def);
  lap(&t.validate);
  return v;
}

}  // namespace hotmod::reload
