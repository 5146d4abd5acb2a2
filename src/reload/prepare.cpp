// The first half of the reload transaction: everything that can be done
// while the old version keeps running untouched.
//
//   copy      read the module file once, write it to a versioned copy (a
//             source module's build opens where the build cache keeps it)
//   validate  ELF and ABI checks on those bytes — before any of its code runs
//   open      dlopen the copy (RTLD_NOW: undefined symbols fail here)
//   validate  descriptor, capabilities, interfaces the host holds, self-test;
//             create the interface objects it publishes
//
// A failure at any step closes what was opened and deletes the copy; the
// running version never notices.
#include "reload/prepare.hpp"

#include <fmt/format.h>

#include <unistd.h>

#include <chrono>

#include "contain/contain.hpp"
#include "diag/heap_accounting.hpp"
#include "diag/module_entry.hpp"
#include "loader/abi_check.hpp"
#include "loader/elf_inspect.hpp"
#include "loader/trust.hpp"
#include "loader/version_store.hpp"
#include "log/runtime_log.hpp"
#include "reload/module_context.hpp"
#include "reload/reaper.hpp"
#include "text/printable.hpp"

namespace hotmod::reload {
namespace {

using Clock = std::chrono::steady_clock;

class StageTimer {
 public:
  explicit StageTimer(std::chrono::nanoseconds* into) : into_(into), start_(Clock::now()) {}
  ~StageTimer() { *into_ += Clock::now() - start_; }

 private:
  std::chrono::nanoseconds* into_;
  Clock::time_point start_;
};

// The module's fingerprint against the host's; checked on the file's record
// before dlopen and again on the descriptor after.
bool check_abi(const registry::Slot& slot, const abi::Fingerprint& module, Error* f) {
  const std::string diffs = loader::abi_differences(module, loader::host_fingerprint());
  if (diffs.empty()) return true;
  *f = Error{Stage::validate, Failure::abi_mismatch,
             fmt::format("module '{}' does not match this host's ABI: {}; rebuild it "
                         "with the host's compiler and flags",
                         slot.name(), diffs)};
  return false;
}

// The capabilities the file's record names, before any of its code runs (a
// refused module's static constructors never run). Records older than this
// check have none; the descriptor's, read after dlopen, are checked anyway.
bool check_record_capabilities(const Host& host, const registry::Slot& slot,
                               const abi::Record& record, Error* f) {
  const std::optional<std::vector<std::string>> capabilities = loader::record_capabilities(record);
  if (!capabilities) return true;
  for (const std::string& c : *capabilities) {
    if (host.capability_granted(slot.name(), c)) continue;
    *f = Error{Stage::validate, Failure::missing_capability,
               host.capability_refusal(slot.name(), text::printable(c))};
    return false;
  }
  return true;
}

bool check_descriptor(Host& host, registry::Slot& slot, registry::Version& v, Error* f) {
  const detail::Descriptor& d = *v.image.descriptor;
  if (!check_abi(slot, d.fingerprint, f)) return false;
  v.def = &d.definition();
  // Printed wherever the module is listed: control characters escaped.
  v.version = d.version != nullptr ? text::printable(d.version) : "";
  v.description = d.description != nullptr ? text::printable(d.description) : "";
  for (const char* const* c = d.capabilities; c != nullptr && *c != nullptr; ++c) {
    v.capabilities.emplace_back(*c);
    if (!host.capability_granted(slot.name(), *c)) {
      *f = Error{Stage::validate, Failure::missing_capability,
                 host.capability_refusal(slot.name(), *c)};
      return false;
    }
  }
  if (d.name != nullptr && slot.name() != d.name) {
    host.log().debug(fmt::format(
        "module '{}' calls itself '{}' in HOTMOD_MODULE; the registry names it after its file",
        slot.name(), d.name));
  }
  const std::vector<const detail::InterfaceDef*> interfaces = v.interface_defs();
  for (std::size_t i = 0; i < interfaces.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (interfaces[i]->name != interfaces[j]->name) continue;
      *f = Error{Stage::validate, Failure::duplicate_interface,
                 fmt::format("module '{}' implements interface '{}' twice (two "
                             "HOTMOD_INTERFACE lines); keep one",
                             slot.name(), interfaces[i]->name)};
      return false;
    }
  }
  for (const auto& [interface, cell] : slot.cells) {
    bool found = false;
    for (const detail::InterfaceDef* i : interfaces) found = found || i->name == interface;
    if (!found) {
      *f = Error{Stage::validate, Failure::missing_interface,
                 fmt::format("module '{}' no longer implements interface '{}', which "
                             "the host holds a Ref to; keep HOTMOD_INTERFACE({}, ...) "
                             "in the module",
                             slot.name(), interface, interface)};
      return false;
    }
  }
  return true;
}

bool run_self_test(const Host& host, registry::Slot& slot, registry::Version& v, Error* f) {
  if (v.def->self_test == nullptr) return true;
  contain::Deadline deadline(host.limits().hook, "HOTMOD_SELF_TEST",
                             "limits.hook_s in hotmod.json");
  std::optional<diag::Escaped> escaped =
      diag::enter_module(slot.heap(), [&] { v.def->self_test(); });
  if (!escaped) return true;
  *f = Error{Stage::validate, escaped->failure_or(Failure::self_test_failed),
             fmt::format("self-test of module '{}' failed: {}", slot.name(), escaped->what),
             escaped->trace};
  return false;
}

bool instantiate(const Host& host, registry::Slot& slot, registry::Version& v, Error* f) {
  contain::Deadline deadline(host.limits().hook, "constructing its interface objects",
                             "limits.hook_s in hotmod.json");
  v.function_list = registry::native_functions(v.def->functions);
  for (const auto& fn : v.function_list) v.functions.emplace(fn.name, &fn);
  for (const detail::InterfaceDef* i : v.interface_defs()) {
    void* object = nullptr;
    std::optional<diag::Escaped> escaped =
        diag::enter_module(slot.heap(), [&] { object = i->create(); });
    if (!escaped) {
      v.instances.emplace_back(i->name, object);
      continue;
    }
    *f = Error{Stage::validate, escaped->failure_or(Failure::constructor_threw),
               fmt::format("module '{}': constructing its {} threw: {}", slot.name(), i->name,
                           escaped->what),
               escaped->trace};
    return false;
  }
  return true;
}

enum class Opened { yes, no, crashed };

// Opens v.copy, its static constructors contained. A build opened in place
// that this process has open already is not opened again (Opened::no, no
// error): see loader::open_image.
Opened open_version(Host& host, registry::Slot& slot, registry::Version& v, StageTimes& t,
                    Error* f) {
  StageTimer timer(&t.open);
  // Its static constructors run inside dlopen and allocate as the module.
  // Not an enter_module(): an exception unwinding out of dlopen would leave
  // the dynamic loader's lock held. A crash in one returns to the loader.
  diag::HeapScope heap(slot.heap());
  contain::Deadline deadline(host.limits().hook, "static constructors",
                             "limits.hook_s in hotmod.json");
  contain::LoadScope loading(v.copy.c_str(), slot.name(), v.generation, v.source.content_hash,
                             &host);
  bool already_open = false;
  const bool opened =
      loader::open_image(v.copy, slot.name(), &v.image, f, v.in_place ? &already_open : nullptr);
  if (std::optional<Error> crash = loading.crash()) {
    // Half constructed: never run its code again, not even its destructors.
    // The image stays mapped and its copy on disk (the next start removes it).
    *f = std::move(*crash);
    v.image = {};
    return Opened::crashed;
  }
  if (!opened) {
    if (!v.in_place) host.store().remove(v.copy);
    return Opened::no;
  }
  contain::add_image(v.image.handle, slot.name(), v.image.descriptor->version, v.generation,
                     v.source.content_hash, &host);
  return Opened::yes;
}

}  // namespace

std::shared_ptr<registry::Version> prepare(Host& host, registry::Slot& slot, StageTimes& t,
                                           Error* f, loader::FileSnapshot* read) {
  if (slot.kind() == ModuleKind::script) return prepare_script(host, slot, t, f, read);
  auto v = std::make_shared<registry::Version>();
  v->generation = registry::next_generation();
  v->module = slot.name();
  // A source module loads what its build left in the cache; a rollback, the
  // copy kept of the version it goes back to.
  const std::filesystem::path file = !slot.rollback_from.empty()         ? slot.rollback_from
                                     : slot.kind() == ModuleKind::source ? slot.artifact
                                                                         : slot.path();
  // A build is opened where the cache keeps it, with no copy: the cache
  // never rewrites a file (each build is renamed into place under a name of
  // its own), so its bytes can be mapped to validate and what is validated
  // is what opens.
  v->in_place = slot.kind() == ModuleKind::source && slot.rollback_from.empty();
  // In production, read where the trust check resolved it: a link on the
  // way could be changed after the check.
  std::filesystem::path checked = file;
  if (slot.kind() == ModuleKind::library && slot.rollback_from.empty() &&
      !trusted(host, slot, file, f, &checked))
    return nullptr;
  {
    StageTimer timer(&t.copy);
    if (!read_module_file(slot, checked, *v, read, f,
                          v->in_place ? loader::Reading::map : loader::Reading::copy)) {
      if (!v->in_place) return nullptr;
      v->in_place = false;  // a filesystem that cannot map it: read, then copied
      if (!read_module_file(slot, file, *v, read, f)) return nullptr;
    }
  }
  if (std::optional<Error> refused = host.quarantined(slot.name(), v->source.content_hash)) {
    *f = std::move(*refused);
    return nullptr;
  }
  {
    StageTimer timer(&t.validate);  // on the bytes just read, before any code runs
    if (!loader::inspect_elf(v->source.bytes,
                             fmt::format("module '{}' ({})", slot.name(), file.string()), &v->elf,
                             f) ||
        !check_abi(slot, v->elf.record.fingerprint, f) ||
        !check_record_capabilities(host, slot, v->elf.record, f))
      return nullptr;
  }
  for (;;) {
    if (v->in_place) {
      v->copy = file;
    } else {
      StageTimer timer(&t.copy);
      if (!host.store().write(slot.name(), v->generation, v->source.bytes, &v->copy, f))
        return nullptr;
    }
    const Opened opened = open_version(host, slot, *v, t, f);
    if (opened == Opened::yes) break;
    if (opened == Opened::crashed || !v->in_place) return nullptr;
    // Not where the cache keeps it: this process has that build open
    // already (another runtime, an earlier version still mapped), or its
    // folder allows no code to run (a noexec mount). A copy of its own,
    // which fails the same way when the build itself is at fault.
    v->in_place = false;
  }
  v->source.bytes = {};
  StageTimer timer(&t.validate);
  if (!check_descriptor(host, slot, *v, f) || !run_self_test(host, slot, *v, f) ||
      !instantiate(host, slot, *v, f)) {
    discard(*v);
    return nullptr;
  }
  v->context = std::make_unique<ModuleContext>(host, slot.name(), v->generation,
                                               host.config_for(slot.name()));
  v->context->set_definition(v->def);
  v->backend = registry::native_backend(*v->def);
  return v;
}

bool read_module_file(const registry::Slot& slot, const std::filesystem::path& file,
                      registry::Version& v, loader::FileSnapshot* read, Error* f,
                      loader::Reading how) {
  Result<loader::FileSnapshot> snap = loader::read_file(file, how);
  if (!snap.ok()) {
    *f = Error{Stage::copy, Failure::io_error,
               fmt::format("module '{}': {}", slot.name(), snap.error().message)};
    return false;
  }
  v.source = std::move(snap.value());
  read->identity = v.source.identity;
  read->content_hash = v.source.content_hash;
  read->read_at_ns = v.source.read_at_ns;
  return true;
}

bool trusted(const Host& host, const registry::Slot& slot, const std::filesystem::path& file,
             Error* f, std::filesystem::path* checked) {
  if (host.dev_mode()) return true;
  const std::string problem = loader::untrusted_because(file, ::getuid(), checked);
  if (problem.empty()) return true;
  *f = Error{Stage::validate, Failure::untrusted,
             fmt::format("module '{}' is not loaded in production: {}", slot.name(), problem)};
  return false;
}

void discard(registry::Version& v) {
  std::vector<registry::StateBox> none;
  std::string why;
  unload_now(v, none, &why);
}

namespace {

class RealWorld final : public World {
 public:
  std::shared_ptr<registry::Version> prepare(Host& host, registry::Slot& slot, StageTimes& t,
                                             Error* f, loader::FileSnapshot* read) override {
    return reload::prepare(host, slot, t, f, read);
  }
  void discard(registry::Version& v) override { reload::discard(v); }
  Clock::time_point now() override { return Clock::now(); }
};

}  // namespace

World& real_world() {
  static RealWorld world;
  return world;
}

}  // namespace hotmod::reload
