// Modules as JSON, for `hotmod modules --json` and `hotmod info --json`:
// the fields of hotmod::ModuleInfo under the same names, kinds by name,
// paths absolute, load_time in UTC (ISO 8601), sizes in bytes.
#pragma once

#include "hotmod/runtime.hpp"

namespace hotmod::cli {

// What discovery knows without loading: name, kind, version, path, loaded.
Value listing_json(const ModuleInfo& info);

// Everything: also description, load_time, reload_count, functions
// [{name, signature, doc}], interfaces, capabilities, state {type, size}
// (null without one), imports, dependents, lingering_images.
Value info_json(const ModuleInfo& info);

}  // namespace hotmod::cli
