#include "cli/repl_history.hpp"

#include <cstdlib>

namespace hotmod::cli {
namespace fs = std::filesystem;

fs::path history_path(const Getenv& getenv) {
  const auto absolute = [&](const char* name) -> std::optional<fs::path> {
    std::optional<std::string> v = getenv(name);
    if (!v || v->empty() || fs::path(*v).is_relative()) return std::nullopt;
    return fs::path(*v);
  };
  if (std::optional<fs::path> state = absolute("XDG_STATE_HOME"))
    return *state / "hotmod" / "history";
  if (std::optional<fs::path> home = absolute("HOME"))
    return *home / ".local" / "state" / "hotmod" / "history";
  return {};
}

fs::path history_path() {
  return history_path([](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    return v != nullptr ? std::optional<std::string>(v) : std::nullopt;
  });
}

}  // namespace hotmod::cli
