#include "cli/module_json.hpp"

#include <ctime>

namespace hotmod::cli {
namespace {

Value utc(std::chrono::system_clock::time_point t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

}  // namespace

Value listing_json(const ModuleInfo& info) {
  return {{"name", info.name},
          {"kind", to_string(info.kind)},
          {"version", info.version},
          {"path", info.path.string()},
          {"loaded", info.loaded}};
}

Value info_json(const ModuleInfo& info) {
  Value out = listing_json(info);
  out["description"] = info.description;
  out["load_time"] = info.loaded ? utc(info.load_time) : Value();
  out["reload_count"] = info.reload_count;
  Value functions = Value::array();
  for (const FunctionInfo& f : info.functions)
    functions.push_back({{"name", f.name}, {"signature", f.signature}, {"doc", f.doc}});
  out["functions"] = std::move(functions);
  out["interfaces"] = info.interfaces;
  out["capabilities"] = info.capabilities;
  out["state"] =
      info.state_size == 0 ? Value() : Value{{"type", info.state_type}, {"size", info.state_size}};
  out["imports"] = info.imports;
  out["dependents"] = info.dependents;
  out["lingering_images"] = info.lingering_images;
  return out;
}

}  // namespace hotmod::cli
