#include "config/environment.hpp"

#include <fmt/format.h>

#include "config/settings.hpp"
#include "config/text_values.hpp"

namespace hotmod::config {

Result<EnvironmentSettings> read_environment(const Getenv& getenv) {
  EnvironmentSettings env;
  const auto get = [&](std::string_view name) -> std::optional<std::string> {
    auto v = getenv(std::string(name).c_str());
    return v && !v->empty() ? v : std::nullopt;
  };
  for (const Setting& s : settings()) {
    std::optional<std::string> v = get(s.variable);
    if (!v || read_setting(s.id, *v, TextSource::variable, env.layer)) continue;
    return Error{Stage::config, Failure::invalid_config,
                 fmt::format("{}={} is not valid; use {}", s.variable, in_quotes(*v), s.accepted)};
  }
  if (auto v = get("HOTMOD_CACHE_DIR")) env.cache_dir = *v;
  return env;
}

}  // namespace hotmod::config
