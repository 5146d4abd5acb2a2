// The first half of the reload transaction (see prepare.cpp).
#pragma once

#include <memory>

#include "hotmod/error.hpp"
#include "registry/slot.hpp"
#include "reload/host.hpp"
#include "reload/world.hpp"

namespace hotmod::reload {

// Opens and validates a new version of `slot` from its file. Caller holds
// slot.mu. Returns null and fills `f` on failure, with nothing left behind.
// `read` receives the identity of the file as read (its bytes dropped), so a
// failed attempt can be remembered.
std::shared_ptr<registry::Version> prepare(Host& host, registry::Slot& slot, StageTimes& t,
                                           Error* f, loader::FileSnapshot* read);

// prepare() for script modules (prepare_script.cpp).
std::shared_ptr<registry::Version> prepare_script(Host& host, registry::Slot& slot, StageTimes& t,
                                                  Error* f, loader::FileSnapshot* read);

// Reads the module's file once into v.source (bytes and identity) and its
// identity into `read`; an unreadable file is Stage::copy / io_error.
bool read_module_file(const registry::Slot& slot, const std::filesystem::path& file,
                      registry::Version& v, loader::FileSnapshot* read, Error* f,
                      loader::Reading how = loader::Reading::copy);

// In production, whether `file` (a module found in the module paths) may be
// loaded: see loader/trust.hpp. False with `f` set (Failure::untrusted)
// when not; always true in dev mode. `checked` receives the path to read
// (resolved in production; left alone in dev mode).
bool trusted(const Host& host, const registry::Slot& slot, const std::filesystem::path& file,
             Error* f, std::filesystem::path* checked);

// Closes a prepared version that never became current.
void discard(registry::Version& v);

}  // namespace hotmod::reload
