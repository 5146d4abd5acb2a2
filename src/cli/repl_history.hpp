// Where the REPL keeps the lines typed, across sessions: the XDG state
// folder ($XDG_STATE_HOME/hotmod/history, else ~/.local/state/hotmod/history).
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace hotmod::cli {

using Getenv = std::function<std::optional<std::string>(const char*)>;

// Empty when neither XDG_STATE_HOME nor HOME is set (or they are relative,
// which the XDG rules say to ignore).
std::filesystem::path history_path(const Getenv& getenv);

// The same from the process environment.
std::filesystem::path history_path();

}  // namespace hotmod::cli
