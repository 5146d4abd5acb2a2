// Reading values the schema walk has already type-checked, for the handlers
// of config_schema.cpp and cxx_keys.cpp alike: paths resolved against the
// file's folder, arrays of strings, "use one of" messages.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "config/text_values.hpp"
#include "hotmod/value.hpp"

namespace hotmod::config {

// An absolute `path` stays as it is; a relative one is the file's folder's.
inline std::filesystem::path resolve(const std::filesystem::path& folder, const std::string& path) {
  return (folder / path).lexically_normal();
}

inline std::vector<std::string> strings_of(const Value& v) {
  std::vector<std::string> out;
  for (const auto& s : v) out.push_back(s.get<std::string>());
  return out;
}

inline std::string must_be_one_of(std::string_view key, const std::string& got,
                                  std::string_view accepted) {
  std::string m = in_quotes(key);
  m.append(" is ").append(in_quotes(got)).append("; use ").append(accepted);
  return m;
}

}  // namespace hotmod::config
