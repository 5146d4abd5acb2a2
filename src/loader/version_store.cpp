#include "loader/version_store.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

namespace hotmod::loader {
namespace fs = std::filesystem;
namespace {

// Field 22 of /proc/<pid>/stat: the process's start time in clock ticks since
// boot. Empty when the process does not exist.
std::string start_time(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(in, text)) return {};
  std::size_t close = text.rfind(')');  // the command name may contain spaces
  if (close == std::string::npos) return {};
  std::istringstream rest(text.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22 && rest >> field; ++i) {
  }
  return field;
}

bool process_alive(long pid, const std::string& started) {
  std::string now = start_time(pid);
  if (!now.empty()) return now == started;
  // No /proc: fall back to asking the kernel whether the pid exists.
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

fs::path default_root() {
  const char* tmp = std::getenv("TMPDIR");
  return fs::path(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") /
         ("hotmod-versions-" + std::to_string(::getuid()));
}

// Creates `dir` (mode 0700) if needed and checks that it is a real folder
// owned by us that nobody else can write: images are opened from it, so
// anyone who could swap a file there could run code in this process.
std::string make_private_folder(const fs::path& dir) {
  const std::string name = dir.string();
  std::string problem;
  struct stat st {};
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    problem = fmt::format("cannot create '{}': {}", name, std::strerror(errno));
  else if (::lstat(dir.c_str(), &st) != 0)
    problem = fmt::format("cannot stat '{}': {}", name, std::strerror(errno));
  else if (!S_ISDIR(st.st_mode))
    problem = fmt::format("'{}' is not a folder (a symlink?)", name);
  else if (st.st_uid != ::getuid())
    problem = fmt::format("'{}' belongs to another user (uid {})", name, st.st_uid);
  else if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    problem = fmt::format("'{}' is writable by others; chmod 700 it", name);
  return problem;
}

}  // namespace

// This process's folder name, read from /proc once per thread and process
// (a fork()ed child is another process, with a name of its own). Per thread:
// no lock that a fork() could leave held.
static std::string own_folder_name() {
  static thread_local long pid = 0;
  static thread_local std::string name;
  if (pid != ::getpid()) {
    pid = ::getpid();
    name = std::to_string(pid) + "." + start_time(pid);
  }
  return name;
}

VersionStore::VersionStore(fs::path root)
    : root_(root.empty() ? default_root() : std::move(root)), folder_(root_ / own_folder_name()) {}

std::size_t VersionStore::remove_stale() const {
  std::size_t removed = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root_, ec)) {
    const std::string name = entry.path().filename().string();
    const std::size_t dot = name.find('.');
    if (dot == std::string::npos || dot == 0) continue;
    char* end = nullptr;
    const long pid = std::strtol(name.c_str(), &end, 10);
    if (end != name.c_str() + dot || pid <= 0) continue;  // not one of ours
    if (entry.path() == folder_ || process_alive(pid, name.substr(dot + 1))) continue;
    std::error_code rm;
    fs::remove_all(entry.path(), rm);
    if (!rm) ++removed;
  }
  return removed;
}

std::string VersionStore::ensure_folder() {
  if (folder_ready_.load(std::memory_order_acquire)) return {};
  std::lock_guard lock(folder_mu_);
  if (folder_ready_) return {};
  std::error_code ec;
  fs::create_directories(root_.parent_path(), ec);
  std::string problem = make_private_folder(root_);
  if (problem.empty()) problem = make_private_folder(folder_);
  if (!problem.empty())
    return fmt::format(
        "versions folder unusable: {}; set RuntimeOptions::versions_dir to a folder of your own",
        problem);
  folder_ready_ = true;
  return {};
}

Result<fs::path> VersionStore::private_subfolder(const std::string& name) {
  if (std::string problem = ensure_folder(); !problem.empty())
    return Error{Stage::copy, Failure::io_error, problem};
  const fs::path dir = folder_ / name;
  if (std::string problem = make_private_folder(dir); !problem.empty())
    return Error{Stage::copy, Failure::io_error, problem};
  return dir;
}

bool VersionStore::write(const std::string& module, std::uint64_t generation,
                         std::span<const unsigned char> bytes, fs::path* out, Error* f) {
  if (std::string problem = ensure_folder(); !problem.empty()) {
    *f = Error{Stage::copy, Failure::io_error, problem};
    return false;
  }
  *out = folder_ / (module + "." + std::to_string(generation) + ".so");
  // O_EXCL|O_NOFOLLOW: never write through a file or link someone left there.
  const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  int fd = ::open(out->c_str(), flags, 0700);
  if (fd < 0 && errno == EEXIST && ::unlink(out->c_str()) == 0)
    fd = ::open(out->c_str(), flags, 0700);
  std::size_t done = 0;
  while (fd >= 0 && done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  if (fd < 0 || done != bytes.size()) {
    *f = Error{Stage::copy, Failure::io_error,
               fmt::format("cannot write the versioned copy '{}': {}; set "
                           "RuntimeOptions::versions_dir to a writable folder",
                           out->string(), std::strerror(errno))};
    if (fd >= 0) ::close(fd);
    remove(*out);
    return false;
  }
  ::close(fd);
  return true;
}

void VersionStore::remove(const fs::path& copy) const {
  std::error_code ec;
  fs::remove(copy, ec);
}

}  // namespace hotmod::loader
