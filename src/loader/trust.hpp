// What production trusts to load, as ssh's StrictModes trusts an
// authorized_keys file: a module file, and every folder above it, that only
// its owner can change, the owner being this user or root. Anyone else who
// could write the file, or rename a folder on its path, could make this
// process run their code.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace hotmod::loader {

// Why `file` may not be loaded in production, naming the path at fault and
// the chmod or chown that fixes it; "" when it may. Follows symlinks: the
// file and the folders of its real path are checked. A folder others may
// write is accepted only with the sticky bit (/tmp), where they cannot
// rename or remove what is not theirs, and one its group may write only when
// that group is the user's own with no other member (a user private group,
// umask 002), as ssh accepts. `self` is this process's user. `real`, when
// given, receives the resolved path: read that one, not `file`, whose
// links may pass through folders that were not checked.
std::string untrusted_because(const std::filesystem::path& file, uid_t self,
                              std::filesystem::path* real = nullptr);

}  // namespace hotmod::loader
