// Settings written as text — environment variables and command-line flags —
// read the same way wherever they come from, so HOTMOD_DEV_MODE=on and
// `--dev` agree on what "on" means.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hotmod/context.hpp"
#include "hotmod/watcher.hpp"
#include "hotmod/value.hpp"

namespace hotmod::config {

// 1/0, true/false, yes/no, on/off, in any case; nullopt otherwise.
std::optional<bool> parse_bool(std::string_view text);
inline constexpr std::string_view kBoolValues = "1/0, true/false, yes/no or on/off";

// A whole number of milliseconds from 0 to kMaxMillis ("30"); no sign, no
// unit. Longer is refused: nobody means it, and the watcher works in
// nanoseconds, where huge values would overflow.
inline constexpr std::uint64_t kMaxMillis = 86'400'000;  // a day
std::optional<std::chrono::milliseconds> parse_millis(std::string_view text);

inline constexpr std::string_view kLogLevels = "trace, debug, info, warn (or warning) or error";
inline constexpr std::string_view kWatchBackends = "auto, kernel or polling";

// 'text', for naming a value or key in a message.
std::string in_quotes(std::string_view text);

}  // namespace hotmod::config
