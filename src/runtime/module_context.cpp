#include "runtime/module_context.hpp"

#include "runtime/runtime_impl.hpp"
#include "runtime/runtime_imports.hpp"

namespace hotmod::runtime {

ModuleContext::ModuleContext(Runtime::Impl& rt, std::string module, std::uint64_t generation,
                             const Value* config)
    : rt_(rt), module_(std::move(module)), generation_(generation), config_(config) {}

EventBus& ModuleContext::bus() {
  return rt_.bus;
}

void ModuleContext::subscribe(std::string_view topic, EventCallback callback) {
  rt_.bus.add_owned(topic, std::move(callback), generation_);
}

Result<Module> ModuleContext::import(std::string_view module) {
  return recorded_import<Module>(rt_, module_, generation_, module,
                                 [&] { return rt_.module(module); });
}

Result<std::shared_ptr<const InterfaceCell>> ModuleContext::import_interface(
    std::string_view module, std::string_view interface) {
  return recorded_import<std::shared_ptr<const InterfaceCell>>(
      rt_, module_, generation_, module, [&] { return rt_.interface(module, interface); });
}

bool ModuleContext::has_capability(std::string_view capability) const {
  return rt_.capability_granted(module_, capability);
}

void ModuleContext::log(LogLevel level, std::string_view message) {
  if (!rt_.log.enabled(level)) return;
  std::string line;
  line.reserve(module_.size() + message.size() + 3);
  line.append("[").append(module_).append("] ").append(message);
  rt_.log.write(level, line, nullptr, 0);  // the module's line: no hotmod location
}

}  // namespace hotmod::runtime
