#include "config/environment.hpp"

#include "config/text_values.hpp"

namespace hotmod::config {
namespace {

Error bad_variable(const char* name, const std::string& value, std::string_view accepted) {
  std::string m(name);
  m.append("=").append(in_quotes(value)).append(" is not valid; use ").append(accepted);
  return Error{Stage::config, Failure::invalid_config, std::move(m)};
}

// Each path in a ':'-separated list, skipping empty entries ("a::b", "a:").
std::vector<std::filesystem::path> split_paths(const std::string& list) {
  std::vector<std::filesystem::path> out;
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t colon = std::min(list.find(':', start), list.size());
    if (colon > start) out.emplace_back(list.substr(start, colon - start));
    start = colon + 1;
  }
  return out;
}

}  // namespace

Result<EnvironmentSettings> read_environment(const Getenv& getenv) {
  EnvironmentSettings env;
  ConfigLayer& layer = env.layer;
  const auto get = [&](const char* name) -> std::optional<std::string> {
    auto v = getenv(name);
    return v && !v->empty() ? v : std::nullopt;
  };
  // The two booleans read alike.
  for (auto [name, field] : {std::pair{"HOTMOD_DEV_MODE", &ConfigLayer::dev_mode},
                             std::pair{"HOTMOD_HOT_RELOAD", &ConfigLayer::hot_reload}}) {
    if (auto v = get(name)) {
      layer.*field = parse_bool(*v);
      if (!(layer.*field)) return bad_variable(name, *v, kBoolValues);
    }
  }
  if (auto v = get("HOTMOD_MODULE_PATH")) layer.module_paths = split_paths(*v);
  if (auto v = get("HOTMOD_LOG_LEVEL")) {
    layer.log_level = parse_log_level(*v);
    if (!layer.log_level) return bad_variable("HOTMOD_LOG_LEVEL", *v, kLogLevels);
  }
  if (auto v = get("HOTMOD_DEBOUNCE_MS")) {
    layer.debounce = parse_millis(*v);
    if (!layer.debounce)
      return bad_variable(
          "HOTMOD_DEBOUNCE_MS", *v,
          "a whole number of milliseconds from 0 to " + std::to_string(kMaxMillis) + ", e.g. 30");
  }
  if (auto v = get("HOTMOD_CONFIG")) layer.config_file = *v;
  if (auto v = get("HOTMOD_CACHE_DIR")) env.cache_dir = *v;
  return env;
}

}  // namespace hotmod::config
