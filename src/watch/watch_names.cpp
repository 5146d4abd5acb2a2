// Names of the watcher's enums, as the log, the CLI and hotmod.json spell them.
#include "hotmod/watcher.hpp"

namespace hotmod {

std::string_view to_string(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::created:
      return "created";
    case ChangeKind::modified:
      return "modified";
    case ChangeKind::deleted:
      return "deleted";
    case ChangeKind::renamed:
      return "renamed";
  }
  return "unknown";
}

std::string_view to_string(WatchBackend backend) {
  switch (backend) {
    case WatchBackend::automatic:
      return "auto";
    case WatchBackend::kernel:
      return "kernel";
    case WatchBackend::polling:
      return "polling";
  }
  return "unknown";
}

std::optional<WatchBackend> parse_watch_backend(std::string_view text) {
  if (text == "auto" || text == "automatic") return WatchBackend::automatic;
  if (text == "kernel") return WatchBackend::kernel;
  if (text == "polling" || text == "poll") return WatchBackend::polling;
  return std::nullopt;
}

}  // namespace hotmod
