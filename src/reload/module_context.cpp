#include "reload/module_context.hpp"

#include "events/event_bus.hpp"
#include "log/runtime_log.hpp"

namespace hotmod::reload {

ModuleContext::ModuleContext(Host& host, std::string module, std::uint64_t generation,
                             const Value* config)
    : host_(host), module_(std::move(module)), generation_(generation), config_(config) {}

EventBus& ModuleContext::bus() {
  return host_.bus().owned_view(generation_);
}

void ModuleContext::subscribe(std::string_view topic, EventCallback callback) {
  bus().add_subscriber(topic, std::move(callback));
}

Result<Module> ModuleContext::import(std::string_view module) {
  return host_.import(module_, generation_, module);
}

Result<hotmod::detail::CellHandle> ModuleContext::import_interface(std::string_view module,
                                                                   std::string_view interface) {
  Result<std::shared_ptr<const hotmod::detail::InterfaceCell>> cell =
      host_.import_interface(module_, generation_, module, interface);
  if (!cell.ok()) return cell.error();
  return hotmod::detail::CellHandle{std::move(cell.value())};
}

bool ModuleContext::has_capability(std::string_view capability) const {
  return host_.capability_granted(module_, capability);
}

void ModuleContext::log(LogLevel level, std::string_view message) {
  log::RuntimeLog& out = host_.log();
  if (!out.enabled(level)) return;
  std::string line;
  line.reserve(module_.size() + message.size() + 3);
  line.append("[").append(module_).append("] ").append(message);
  out.write(level, line, nullptr, 0);  // the module's line: no hotmod location
}

}  // namespace hotmod::reload
