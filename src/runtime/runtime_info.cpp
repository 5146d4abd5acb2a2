// Metadata about modules: Runtime::modules() and Runtime::info(), which never
// take a slot's lock: a compile or a hook in progress does not hold them up.
#include <cstring>
#include <mutex>
#include <shared_mutex>

#include "loader/elf_inspect.hpp"
#include "loader/file_snapshot.hpp"

#include "runtime/runtime_impl.hpp"
#include "text/printable.hpp"

namespace hotmod {

void runtime::Core::show_locked(const registry::Slot& slot) {
  if (!slot.life.running()) return unshow(slot);
  const registry::Version& v = *slot.life.running();
  ModuleInfo info;
  info.loaded = true;
  info.version = v.version;
  info.description = v.description;
  info.load_time = slot.load_time;
  info.capabilities = v.capabilities;
  for (const auto& f : v.function_list) info.functions.push_back({f.name, f.signature, f.doc});
  for (const auto& [name, p] : v.instances) info.interfaces.push_back(name);
  info.state_type = slot.state.def.type;
  info.state_size = slot.state.def.size;
  std::lock_guard lock(shown_mu);
  shown.insert_or_assign(slot.name(), std::move(info));
}

void runtime::Core::unshow(const registry::Slot& slot) {
  std::lock_guard lock(shown_mu);
  shown.erase(slot.name());
}

ModuleInfo runtime::Core::describe(const registry::Slot& slot) const {
  ModuleInfo info;
  {
    std::lock_guard lock(shown_mu);
    if (auto it = shown.find(slot.name()); it != shown.end()) info = it->second;
  }
  info.name = slot.name();
  info.kind = slot.kind();
  info.path = slot.path();
  info.reload_count = slot.reload_count.load();
  info.lingering_images = slot.lingering.load();
  info.imports = imports.imports_of(slot.name());
  info.dependents = imports.dependents_of(slot.name());
  if (!info.loaded) {
    // Not loaded: the version string comes from the file's ABI record, read
    // without opening the image.
    if (Result<loader::FileSnapshot> snap = loader::read_file(info.path); snap.ok()) {
      loader::ElfSummary elf;
      Error ignored;
      if (loader::inspect_elf(snap->bytes, slot.name(), &elf, &ignored))
        info.version = text::printable(std::string_view(
            elf.record.version, strnlen(elf.record.version, sizeof elf.record.version)));
    }
  }
  return info;
}

std::vector<ModuleInfo> Runtime::modules() const {
  if (impl_->forked()) return {};  // its locks may be held for good (forked.hpp)
  std::vector<std::shared_ptr<registry::Slot>> all;
  {
    std::shared_lock lock(impl_->registry_mu);
    for (const auto& [n, s] : impl_->slots) all.push_back(s);
  }
  std::vector<ModuleInfo> out;
  for (const auto& slot : all)
    if (!slot->hidden()) out.push_back(impl_->describe(*slot));
  return out;
}

std::optional<ModuleInfo> Runtime::info(std::string_view name) const {
  if (impl_->forked()) return std::nullopt;  // its locks may be held for good (forked.hpp)
  std::shared_ptr<registry::Slot> slot;
  {
    std::shared_lock lock(impl_->registry_mu);
    auto it = impl_->slots.find(name);
    if (it == impl_->slots.end() || it->second->hidden()) return std::nullopt;
    slot = it->second;
  }
  return impl_->describe(*slot);
}

}  // namespace hotmod
