// Helpers the configuration tests share: files written for real into a
// temporary folder, and an environment that is a map instead of the
// process's own (so tests neither see nor change the real one).
#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

#include "files.hpp"
#include "hotmod/config.hpp"

namespace hotmod_test {

using FakeEnv = std::map<std::string, std::string>;

inline std::function<std::optional<std::string>(const char*)> getenv_from(FakeEnv env) {
  return [env = std::move(env)](const char* name) -> std::optional<std::string> {
    auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

// Inputs that read only what the test gives: `env` and files below `cwd`.
inline hotmod::ConfigInputs inputs_in(const std::filesystem::path& cwd, FakeEnv env = {}) {
  hotmod::ConfigInputs in;
  in.cwd = cwd;
  in.getenv = getenv_from(std::move(env));
  return in;
}

}  // namespace hotmod_test
