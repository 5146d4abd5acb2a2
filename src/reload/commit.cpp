// The second half of the reload transaction:
//
//   state   hand the persistent state over (keep, migrate or reset)
//   hooks   on_unload(old); the old version's subscriptions are removed
//   swap    the slot and every interface cell now reach the new version
//   hooks   on_load(new)
//
// If on_load(new) throws, everything is put back: the old version becomes
// current again with the state it had before any hook ran, the new version's
// subscriptions are removed, and the old on_load runs again so its
// subscriptions and resources come back.
#include "reload/commit.hpp"

#include <fmt/format.h>

#include <chrono>

#include "contain/contain.hpp"
#include "diag/module_entry.hpp"
#include "events/event_bus.hpp"
#include "log/runtime_log.hpp"
#include "reload/module_context.hpp"
#include "reload/state_handover.hpp"
#include "reload/state_pointers.hpp"

namespace hotmod::reload {
namespace {

using Hook = registry::Backend::Hook;

// What a hook did instead of returning: threw (or a script hook raised an
// error), or ran into one of its limits (Failure::timed_out).
struct HookFailure {
  diag::Escaped escaped;
  Failure failure = Failure::on_load_threw;
};

// Runs a hook; nullopt when it returned.
std::optional<HookFailure> run_hook(const Host& host, Hook which, registry::Version& v) {
  // A script's hooks run under its instruction limit instead.
  const auto limit = v.image.handle != nullptr ? host.limits().hook : std::chrono::seconds(0);
  contain::Deadline deadline(limit, which == Hook::load ? "on_load" : "on_unload",
                             "limits.hook_s in hotmod.json");
  std::optional<HookFailure> failed;
  std::optional<diag::Escaped> escaped = diag::enter_module(diag::heap_cell(v.module), [&] {
    if (std::optional<Error> error = v.backend->run_hook(which, *v.context)) {
      const Failure f =
          error->failure == Failure::timed_out ? Failure::timed_out : Failure::on_load_threw;
      failed = HookFailure{diag::Escaped{std::move(error->message), ""}, f};
    }
  });
  if (escaped) {
    const Failure f = escaped->failure_or(Failure::on_load_threw);
    return HookFailure{std::move(*escaped), f};
  }
  return failed;
}

// Points the slot and its cells at `v` (or at nothing).
void publish(registry::Slot& slot, registry::Version* v) {
  slot.current.store(v, std::memory_order_release);
  for (auto& [name, cell] : slot.cells)
    cell->impl.store(v != nullptr ? v->instance(name) : nullptr, std::memory_order_release);
}

void unload_hook(Host& host, registry::Slot& slot, registry::Version& old) {
  old.context->set_hook_facts(slot.reload_count.load(), true);
  if (auto err = run_hook(host, Hook::unload, old)) {
    host.log().warn(fmt::format("module '{}' on_unload threw: {}; continuing with the reload",
                                slot.name(), err->escaped.what));
  }
  host.bus().remove_owner(old.generation);
}

// The state the new version keeps, read for pointers into the old image
// while it is still mapped (after on_load, which may have set them again).
void warn_of_stale_pointers(Host& host, registry::Slot& slot, const registry::StateBox& state,
                            const registry::Version& old) {
  std::uintptr_t start = 0;
  std::uintptr_t end = 0;
  if (state.empty() || !loader::image_span(old.image.handle, &start, &end)) return;
  const std::vector<std::size_t> offsets = pointers_into(state.data, state.def.size, start, end, 8);
  if (!offsets.empty())
    host.log().warn(
        stale_pointer_warning(slot.name(), state.def.type, old.version, old.generation, offsets));
}

}  // namespace

bool commit(Host& host, World& world, registry::Slot& slot, std::shared_ptr<registry::Version> next,
            StageTimes& t, Error* f) {
  std::shared_ptr<registry::Version> old = slot.life.running();
  auto mark = world.now();
  auto lap = [&](std::chrono::nanoseconds* into) {
    const auto now = world.now();
    *into += now - mark;
    mark = now;
  };

  // Refs taken since `next` was prepared (safe_point) must still be served.
  for (const auto& [name, cell] : slot.cells) {
    if (next->instance(name) != nullptr) continue;
    *f = Error{Stage::validate, Failure::missing_interface,
               fmt::format("module '{}' version {} does not implement interface '{}', "
                           "which the host now holds a Ref to; keep "
                           "HOTMOD_INTERFACE({}, ...) in the module",
                           slot.name(), next->version, name, name)};
    next->backend->undo_load_changes();
    host.retire(slot, std::move(next), {});
    return false;
  }

  Handover h;
  bool handed_over = false;
  {
    // Its state's constructors and HOTMOD_MIGRATE are the module's code too.
    contain::Deadline deadline(host.limits().hook, "state hand-over",
                               "limits.hook_s in hotmod.json");
    handed_over = hand_over(host.log(), slot.name(), slot.state, *next->def, &h, f);
  }
  if (!handed_over) {
    lap(&t.state);
    host.retire(slot, std::move(next), {});
    return false;
  }
  // Kept in place without a copy to go back to: a failed on_load would
  // leave the old version running on state it half changed. Refused now,
  // before any hook of either version runs — but not a rollback from a
  // crashed version, which must go whatever becomes of its state.
  if (old && !h.replaced && h.snapshot.empty() && !slot.state.empty() &&
      next->def->on_load != nullptr && slot.rollback_from.empty()) {
    *f = Error{
        Stage::state, Failure::state_not_copyable,
        fmt::format("module '{}' version {} was not loaded: its state type {} is kept "
                    "across the reload but cannot be copied, so a failed on_load could not "
                    "be undone; give {} a copy constructor (for an atomic or a mutex member: "
                    "copy its value, make a fresh one), or keep what cannot be copied outside "
                    "the state; version {} keeps running",
                    slot.name(), next->version, slot.state.def.type, slot.state.def.type,
                    old->version)};
    lap(&t.state);
    host.retire(slot, std::move(next), {});
    return false;
  }
  lap(&t.state);

  if (old) unload_hook(host, slot, *old);
  lap(&t.hooks);

  next->def->state_data = h.next.data;
  next->def->context = next->context.get();
  publish(slot, next.get());
  lap(&t.swap);

  const std::uint64_t count = old ? slot.reload_count.load() + 1 : 0;
  next->context->set_hook_facts(count, h.restored);
  std::optional<HookFailure> failed = run_hook(host, Hook::load, *next);
  lap(&t.hooks);

  if (!failed) {
    next->backend->keep_load_changes();
    if (old) warn_of_stale_pointers(host, slot, h.next, *old);
    if (next->image.handle != nullptr) contain::mark_current(next->image.handle);
    std::vector<registry::StateBox> garbage;
    if (h.replaced) garbage.push_back(slot.state);
    if (!h.snapshot.empty()) garbage.push_back(h.snapshot);
    slot.state = h.next;
    slot.life.commit(next);
    if (old) {
      host.keep_for_rollback(slot, old);
      host.retire(slot, std::move(old), std::move(garbage));
    } else
      for (auto& g : garbage) g.destroy();  // first load: no image to wait for
    return true;
  }

  // Roll back to the old version, as it was before on_unload.
  const char* kept = old ? "; the previous version keeps running" : "";
  switch (failed->failure) {
    case Failure::timed_out:
      *f = Error{Stage::initialize, Failure::timed_out,
                 fmt::format("{}{}", failed->escaped.what, kept)};
      break;
    case Failure::crashed:
      *f = Error{Stage::initialize, Failure::crashed,
                 fmt::format("on_load of {}{}", failed->escaped.what, kept), failed->escaped.trace};
      break;
    case Failure::stale_call:
      *f = Error{
          Stage::initialize, Failure::stale_call,
          fmt::format("module '{}' on_load made a {}{}", slot.name(), failed->escaped.what, kept),
          failed->escaped.trace};
      break;
    default:
      *f = Error{
          Stage::initialize, Failure::on_load_threw,
          fmt::format("module '{}' on_load threw: {}{}", slot.name(), failed->escaped.what, kept),
          failed->escaped.trace};
  }
  host.bus().remove_owner(next->generation);
  // A script's hotmod.state goes back to before the new chunk ran.
  next->backend->undo_load_changes();
  std::vector<registry::StateBox> garbage;
  if (h.replaced) {
    if (!h.next.empty()) garbage.push_back(h.next);
  } else if (!h.snapshot.empty()) {
    registry::StateBox mutated = h.next;  // same object, destroyed by next's image
    garbage.push_back(mutated);
    slot.state = h.snapshot;
  }
  if (old) {
    old->def->state_data = slot.state.data;
    publish(slot, old.get());
    old->context->set_hook_facts(slot.reload_count.load(), true);
    host.bus().reopen_owner(old->generation);  // its on_load subscribes again
    if (auto err = run_hook(host, Hook::load, *old)) {
      host.log().error(fmt::format(
          "module '{}': re-running the previous version's on_load after a failed reload threw "
          "too: {}",
          slot.name(), err->escaped.what));
    }
  } else {
    publish(slot, nullptr);
    if (h.replaced) slot.state = {};
  }
  host.retire(slot, std::move(next), std::move(garbage));
  return false;
}

}  // namespace hotmod::reload
