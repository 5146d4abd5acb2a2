// Choosing a setting's value from the layers that give it, highest first,
// and recording which one in LoadedConfig::origin, so `hotmod config` can
// say why a setting has its value. Shared by load_config.cpp and
// merge_cxx.cpp.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "config/config_schema.hpp"
#include "hotmod/config.hpp"

namespace hotmod::config {

// One layer's value for a setting, and how to name that layer.
template <class T>
struct Source {
  const std::optional<T>& value;
  std::string origin;
};

template <class T>
T pick(std::string_view setting, T fallback, std::initializer_list<Source<T>> sources,
       LoadedConfig& out) {
  for (const auto& s : sources) {
    if (s.value) {
      out.origin[std::string(setting)] = s.origin;
      return *s.value;
    }
  }
  out.origin[std::string(setting)] = "default";
  return fallback;
}

// "/p/hotmod.json:3" for a setting the file gave; "" otherwise.
inline std::string file_origin(const FileSettings& file, std::string_view setting) {
  auto it = file.origin.find(setting);
  return it == file.origin.end() ? std::string() : it->second;
}

inline std::string env_origin(std::string_view variable) {
  return "environment (" + std::string(variable) + ")";
}

inline constexpr std::string_view kHost = "defaults (host)";

}  // namespace hotmod::config
