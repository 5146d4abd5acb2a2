#include "loader/trust.hpp"

#include <fmt/format.h>

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <vector>

#include "text/printable.hpp"

namespace hotmod::loader {
namespace fs = std::filesystem;
namespace {

// The user's own group with nobody else in it (Debian's user private
// groups): its write permission lets no one else in.
bool private_group(gid_t gid, uid_t self) {
  long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buffer(size > 0 ? static_cast<std::size_t>(size) : 16384);
  passwd pw{};
  passwd* user = nullptr;
  if (::getpwuid_r(self, &pw, buffer.data(), buffer.size(), &user) != 0 || user == nullptr ||
      user->pw_gid != gid)
    return false;
  const std::string name = user->pw_name;
  size = ::sysconf(_SC_GETGR_R_SIZE_MAX);
  std::vector<char> group_buffer(size > 0 ? static_cast<std::size_t>(size) : 16384);
  group gr{};
  group* found = nullptr;
  if (::getgrgid_r(gid, &gr, group_buffer.data(), group_buffer.size(), &found) != 0 ||
      found == nullptr)
    return false;
  for (char** member = found->gr_mem; member != nullptr && *member != nullptr; ++member)
    if (name != *member) return false;
  return true;
}

// The owner and write permissions of one path; "" when they are safe.
std::string check(const fs::path& path, const struct stat& st, uid_t self, bool is_file) {
  const std::string shown = text::printable(path.native());
  if (st.st_uid != self && st.st_uid != 0)
    return fmt::format("'{}' belongs to uid {}, not to this user (uid {}) or root; chown {} '{}'",
                       shown, st.st_uid, self, self, shown);
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) == 0) return {};
  if (!is_file && (st.st_mode & S_ISVTX) != 0) return {};  // sticky: /tmp
  // Looked up only now: the user and group databases cost a file read each.
  if ((st.st_mode & S_IWOTH) == 0 && st.st_uid == self && private_group(st.st_gid, self)) return {};
  return fmt::format("'{}' can be written by {} (mode {:o}); chmod go-w '{}'", shown,
                     (st.st_mode & S_IWOTH) != 0 ? "anyone" : "its group", st.st_mode & 07777,
                     shown);
}

}  // namespace

std::string untrusted_because(const fs::path& file, uid_t self, fs::path* resolved) {
  std::error_code ec;
  const fs::path real = fs::canonical(file, ec);
  if (resolved != nullptr) *resolved = real;
  if (ec)
    return fmt::format("cannot resolve '{}': {}", text::printable(file.native()), ec.message());
  struct stat st {};
  if (::stat(real.c_str(), &st) != 0)
    return fmt::format("cannot stat '{}': {}", text::printable(real.native()),
                       std::strerror(errno));
  if (std::string problem = check(real, st, self, true); !problem.empty()) return problem;
  for (fs::path dir = real.parent_path();; dir = dir.parent_path()) {
    if (::stat(dir.c_str(), &st) != 0)
      return fmt::format("cannot stat '{}': {}", text::printable(dir.native()),
                         std::strerror(errno));
    if (std::string problem = check(dir, st, self, false); !problem.empty()) return problem;
    if (dir == dir.parent_path()) break;
  }
  return {};
}

}  // namespace hotmod::loader
