#include "loader/version_store.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
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

// The marker a process's folder holds; stores using the folder hold a
// shared flock on it.
constexpr const char* kMarker = ".hotmod-process";

std::string boot_id() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id;
}

// The marker's fields: "pid", "start", "boot".
std::string marker_field(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  std::string k, v;
  while (in >> k >> v)
    if (k == key) return v;
  return {};
}

// Whether the folder `dir` (`pid`.`started`, already lstat'ed as a real
// folder of ours) belongs to a process that is gone: its marker is a
// regular file of ours that no store holds locked, and the process it names
// is not running (a second opinion, should flock be a no-op somewhere).
// Returns the locked marker's descriptor (to hold while removing), or -1.
int lock_if_stale(const fs::path& dir, long pid, const std::string& started) {
  const fs::path marker = dir / kMarker;
  // O_RDWR: where flock is emulated with fcntl locks (NFS), an exclusive
  // lock needs a descriptor open for writing.
  const int fd = ::open(marker.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return -1;  // no marker: not provably ours
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::getuid() ||
      ::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return -1;  // held by a live process (or locks do not work here)
  }
  std::string text(512, '\0');
  const ssize_t n = ::pread(fd, text.data(), text.size(), 0);
  text.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  if (marker_field(text, "boot") == boot_id() && process_alive(pid, started)) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// The shared lock this process holds on a folder's marker, and how many
// stores use the folder: a folder made again is locked again for all of
// them, and the last to let go releases it. Never destroyed: stores may
// live in static objects.
struct Holder {
  int fd = -1;
  int users = 0;
};
std::mutex& holders_mu() {
  static std::mutex mu;
  return mu;
}
std::map<std::string, Holder>& holders() {
  static auto* all = new std::map<std::string, Holder>;
  return *all;
}

// Whether `fd` is the file `path` names now (not one removed since).
bool is_marker(int fd, const fs::path& path) {
  struct stat held {
  }, named{};
  return ::fstat(fd, &held) == 0 && ::lstat(path.c_str(), &named) == 0 &&
         held.st_ino == named.st_ino && held.st_dev == named.st_dev;
}

// Takes a shared lock on `folder`'s marker, making the marker if there is
// none: a new one is locked before it gets its name (link() fails rather than
// replace one another store holds), so a marker without a lock is nobody's.
// The descriptor, or -1 with `problem` set.
int hold_marker(const fs::path& folder, std::string* problem) {
  static std::atomic<unsigned> made{0};
  const fs::path marker = folder / kMarker;
  for (int attempt = 0; attempt < 3; ++attempt) {
    int fd = ::open(marker.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
      struct stat held {};
      if (::fstat(fd, &held) != 0 || !S_ISREG(held.st_mode) || held.st_uid != ::getuid()) {
        ::close(fd);
        *problem = fmt::format("'{}' is not a marker hotmod made; remove it", marker.string());
        return -1;
      }
      if (::flock(fd, LOCK_SH) != 0) {
        const int error = errno;
        ::close(fd);
        errno = error;
        break;
      }
      if (is_marker(fd, marker)) return fd;
      ::close(fd);  // removed or replaced while it was being locked: again
      continue;
    }
    if (errno == ELOOP) {
      *problem =
          fmt::format("'{}' is a symlink, not a marker hotmod made; remove it", marker.string());
      return -1;
    }
    if (errno != ENOENT) break;
    const fs::path fresh = folder / fmt::format("{}.{}.{}", kMarker, ::getpid(), ++made);
    fd = ::open(fresh.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) break;
    const std::string text =
        fmt::format("pid {}\nstart {}\nboot {}\n", ::getpid(), start_time(::getpid()), boot_id());
    const bool written = ::flock(fd, LOCK_SH) == 0 &&
                         ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    const bool linked = written && ::link(fresh.c_str(), marker.c_str()) == 0;
    const int link_error = errno;
    ::unlink(fresh.c_str());
    if (linked) return fd;
    ::close(fd);
    if (!written || link_error != EEXIST) {
      errno = written ? link_error : errno;
      break;
    }
  }
  *problem = fmt::format("cannot make or lock '{}': {}", marker.string(), std::strerror(errno));
  return -1;
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
  else  // the root's rules; the file system is the root's, checked there
    problem = versions_root_problem(name, st, /*noexec=*/false);
  return problem;
}

}  // namespace

std::string versions_root_problem(const std::string& root, const struct stat& st, bool noexec) {
  if (S_ISLNK(st.st_mode))
    return fmt::format("'{}' is a symlink; versioned copies go only in a real folder", root);
  if (!S_ISDIR(st.st_mode)) return fmt::format("'{}' is not a folder", root);
  if (st.st_uid != ::getuid())
    return fmt::format("'{}' belongs to another user (uid {}), not to uid {}", root, st.st_uid,
                       ::getuid());
  if ((st.st_mode & 077) != 0)
    return fmt::format("'{}' is open to other users (mode {:o}); chmod 700 '{}'", root,
                       st.st_mode & 07777, root);
  if (noexec)
    return fmt::format("'{}' is on a file system mounted noexec, where no module can run", root);
  return {};
}

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

VersionStore::~VersionStore() {
  release();
}

namespace {

// The root's problem, "" when it may be used; nullopt when it does not exist.
std::optional<std::string> root_problem(const fs::path& root) {
  struct stat st {};
  if (::lstat(root.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::nullopt;
    return fmt::format("cannot stat '{}': {}", root.string(), std::strerror(errno));
  }
  struct statvfs vfs {};
  const bool noexec =
      S_ISDIR(st.st_mode) && ::statvfs(root.c_str(), &vfs) == 0 && (vfs.f_flag & ST_NOEXEC) != 0;
  return versions_root_problem(root.string(), st, noexec);
}

// `<pid>.<start>`, both decimal: the pid, or 0.
long folder_pid(const std::string& name, std::string* started) {
  const std::size_t dot = name.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == name.size()) return 0;
  for (std::size_t i = 0; i < name.size(); ++i)
    if (i != dot && (name[i] < '0' || name[i] > '9')) return 0;
  *started = name.substr(dot + 1);
  return std::strtol(name.c_str(), nullptr, 10);
}

}  // namespace

VersionStore::Cleanup VersionStore::remove_stale() const {
  Cleanup out;
  std::optional<std::string> problem = root_problem(root_);
  if (!problem) return out;  // nothing there yet
  if (!problem->empty()) {
    out.problem = *problem;
    return out;
  }
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root_, ec)) {
    const std::string name = entry.path().filename().string();
    std::string started;
    const long pid = folder_pid(name, &started);
    if (pid <= 0 || entry.path() == folder_) continue;  // not a process's folder, or ours
    struct stat st {};
    if (::lstat(entry.path().c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::getuid())
      continue;
    const int held = lock_if_stale(entry.path(), pid, started);
    if (held < 0) continue;
    // The marker goes last: a removal cut short leaves a folder the next
    // start still recognises. remove_all removes links, never what they
    // point at.
    std::error_code inner;
    bool emptied = true;
    for (const auto& inside : fs::directory_iterator(entry.path(), inner)) {
      if (inside.path().filename() == kMarker) continue;
      std::error_code rm;
      fs::remove_all(inside.path(), rm);
      emptied = emptied && !rm;
    }
    if (emptied && !inner && ::unlink((entry.path() / kMarker).c_str()) == 0 &&
        ::rmdir(entry.path().c_str()) == 0)
      ++out.removed;
    ::close(held);
  }
  return out;
}

std::string VersionStore::ensure_folder(bool again) {
  if (!again && folder_ready_.load(std::memory_order_acquire)) return {};
  std::lock_guard lock(folder_mu_);
  if (!again && folder_ready_) return {};
  auto unusable = [](const std::string& problem) {
    return fmt::format(
        "versions folder unusable: {}; set RuntimeOptions::versions_dir (hotmod.json: "
        "\"versions_dir\") to a folder of your own",
        problem);
  };
  std::error_code ec;
  fs::create_directories(root_.parent_path(), ec);
  if (::mkdir(root_.c_str(), 0700) != 0 && errno != EEXIST)
    return unusable(fmt::format("cannot create '{}': {}", root_.string(), std::strerror(errno)));
  if (std::optional<std::string> problem = root_problem(root_); !problem || !problem->empty())
    return unusable(problem ? *problem : fmt::format("'{}' vanished", root_.string()));
  // Under the holders' mutex: a store of this process letting go of the
  // folder cannot remove it between the two steps.
  std::lock_guard hold(holders_mu());
  if (std::string problem = make_private_folder(folder_); !problem.empty())
    return unusable(problem);
  Holder& holder = holders()[folder_.native()];
  if (holder.fd < 0 || !is_marker(holder.fd, folder_ / kMarker)) {
    // First use, or the folder was made again: every store's lock is this one.
    if (holder.fd >= 0) ::close(holder.fd);
    std::string problem;
    holder.fd = hold_marker(folder_, &problem);
    if (holder.fd < 0) return unusable(problem);
  }
  if (!holding_) ++holder.users;
  holding_ = true;
  folder_ready_ = true;
  return {};
}

void VersionStore::release() {
  std::lock_guard lock(folder_mu_);
  if (!holding_) return;
  holding_ = false;
  folder_ready_ = false;
  std::lock_guard hold(holders_mu());
  auto it = holders().find(folder_.native());
  if (it == holders().end() || --it->second.users > 0) return;
  if (it->second.fd >= 0) ::close(it->second.fd);
  holders().erase(it);
  // A forked child may hold it still (the same lock, inherited).
  const fs::path marker = folder_ / kMarker;
  const int fd = ::open(marker.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return;
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
    std::error_code ec;
    bool only_marker = true;
    for (const auto& entry : fs::directory_iterator(folder_, ec))
      if (entry.path().filename() != kMarker) only_marker = false;
    if (!ec && only_marker) {
      ::unlink(marker.c_str());
      ::rmdir(folder_.c_str());
    }
  }
  ::close(fd);
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
  // The folder was removed under us (a /tmp cleaner): made again.
  if (fd < 0 && errno == ENOENT) {
    if (std::string problem = ensure_folder(/*again=*/true); !problem.empty()) {
      *f = Error{Stage::copy, Failure::io_error, problem};
      return false;
    }
    fd = ::open(out->c_str(), flags, 0700);
  }
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
