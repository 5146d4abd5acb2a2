// File systems on which inotify sees only local changes: changes made by
// another machine (NFS, SMB), by the host of a VM or container (9p, vboxsf)
// or by a FUSE daemon's backing store never produce a notification.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hotmod::watch {

// The name of the file system `path` is on when it is one of those; nullopt
// for local file systems, and when statfs(2) fails.
std::optional<std::string_view> unnotified_file_system(const std::string& path);

}  // namespace hotmod::watch
