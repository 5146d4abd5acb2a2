// An exported function as the runtime calls and shows it. A library or
// source module registers only constant data (detail::FunctionInfo, one per
// HOTMOD_EXPORT) so that exporting costs its compile little; the runtime
// words the signature and the call's messages from it here. A script's
// functions are built from what its chunk exported.
#pragma once

#include <string>
#include <vector>

#include "hotmod/module.hpp"
#include "hotmod/value_fwd.hpp"

namespace hotmod::registry {

struct FunctionDef {
  std::string name;
  std::string signature;  // e.g. "string greet(string who, int times)"
  std::string doc;
  std::vector<std::string> params;               // names, as many as the module gave
  const detail::FunctionInfo* native = nullptr;  // null for a script's
};

// A module's functions in the order it exported them, from its list (newest first).
std::vector<FunctionDef> native_functions(const detail::FunctionInfo* newest_first);

// Calls a native function: true with `result` set, or false with `what`
// saying why ("greet: argument 2 ('times') must be int, got string \"x\"").
Failure call_native(const FunctionDef& fn, const Value& args, Value& result, std::string& what);

}  // namespace hotmod::registry
