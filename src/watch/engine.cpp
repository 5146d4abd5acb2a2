// Engine set-up, the choice of backend for each folder, and delivery.
#include "watch/engine.hpp"

#include <fmt/format.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "watch/fs_type.hpp"
#include "watch/paths.hpp"

namespace hotmod::watch {
namespace {

std::vector<std::string> root_paths(const WatchOptions& options) {
  std::vector<std::string> roots;
  for (const std::filesystem::path& given : options.paths) {
    std::error_code ec;
    std::filesystem::path path =
        std::filesystem::absolute(given.empty() ? "." : given, ec).lexically_normal();
    std::string text = ec ? given.string() : path.string();
    while (text.size() > 1 && text.back() == '/') text.pop_back();
    roots.push_back(std::move(text));
  }
  return roots;
}

std::vector<std::string> excludes(const WatchOptions& options) {
  std::vector<std::string> all = options.exclude;
  if (options.default_excludes)
    for (std::string& glob : default_excludes()) all.push_back(std::move(glob));
  return all;
}

std::string read_sysctl(const char* path) {
  std::ifstream in(path);
  std::string value;
  in >> value;
  return value.empty() ? "?" : value;
}

std::string interval_text(std::chrono::milliseconds interval) {
  return fmt::format("{} ms", interval.count());
}

// Nothing to test when no glob asks for it: the coalescer skips the call.
Coalescer::ClosingOf closing_of(const WatchOptions& options, const Scope& scope) {
  using Closing = Coalescer::Closing;
  if (options.complete_on_close.empty() && options.saved_on_close.empty()) return {};
  return [&options, &scope](const std::string& path) {
    if (scope.matches(path, options.complete_on_close)) return Closing::built;
    if (scope.matches(path, options.saved_on_close)) return Closing::saved;
    return Closing::debounced;
  };
}

}  // namespace

Engine::Engine(const WatchOptions& options, Notices& notices, Deliver deliver,
               std::atomic<std::size_t>& polled)
    : options_(options),
      notices_(notices),
      deliver_(std::move(deliver)),
      polled_(polled),
      scope_(root_paths(options), options.include, excludes(options)),
      coalescer_(std::max(options.debounce, std::chrono::milliseconds(0)), kWriterQuiet,
                 closing_of(options_, scope_)),
      poll_(kWriterQuiet) {}

Engine::~Engine() = default;

Result<WatchBackend> Engine::start() {
  if (scope_.roots().empty())
    return Error{Stage::watch, Failure::watch_failed,
                 "nothing to watch: WatchOptions::paths is empty"};
  if (options_.backend != WatchBackend::polling) {
    int error = 0;
    kernel_ = InotifyBackend::open(options_.max_kernel_watches, error);
    if (!kernel_ && error == EMFILE)
      notices_.once("max_user_instances", LogLevel::warn,
                    fmt::format("cannot create an inotify instance: the limit of instances per "
                                "user (fs.inotify.max_user_instances = {}) or of open files is "
                                "reached; polling every {} instead. Raise it: sudo sysctl "
                                "fs.inotify.max_user_instances=1024 (to keep it after a reboot: "
                                "echo fs.inotify.max_user_instances=1024 | sudo tee "
                                "/etc/sysctl.d/90-inotify.conf)",
                                read_sysctl("/proc/sys/fs/inotify/max_user_instances"),
                                interval_text(poll_interval())));
    else if (!kernel_)
      notices_.once("inotify", LogLevel::warn,
                    fmt::format("cannot create an inotify instance: {}; polling every {} instead",
                                std::strerror(error), interval_text(poll_interval())));
  }
  for (const Root& root : scope_.roots()) {
    struct stat st {};
    if (::stat(root.path.c_str(), &st) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) continue;  // waited for
      return Error{Stage::watch, Failure::watch_failed,
                   fmt::format("cannot watch '{}': {}", root.path, std::strerror(errno))};
    }
    if (S_ISDIR(st.st_mode) && ::access(root.path.c_str(), R_OK | X_OK) != 0)
      return Error{Stage::watch, Failure::watch_failed,
                   fmt::format("cannot read the folder '{}': {}", root.path, std::strerror(errno))};
  }
  Clock::time_point now = Clock::now();
  for (Root& root : scope_.roots()) activate_root(root, now, false);
  count_polled();

  WatchBackend used = WatchBackend::kernel;
  if (!kernel_ || (kernel_->folders() == 0 && poll_.folders() > 0)) used = WatchBackend::polling;
  notices_.say(LogLevel::debug, fmt::format("watching {} folders with {} ({} polled)",
                                            folders_.size(), to_string(used), poll_.folders()));
  return used;
}

bool Engine::polling() const {
  if (poll_.folders() > 0) return true;
  for (const Root& root : scope_.roots())
    if (!root.active) return true;
  return false;
}

std::chrono::milliseconds Engine::poll_interval() const {
  return std::max(options_.poll_interval, std::chrono::milliseconds(1));
}

FolderBackend* Engine::backend_for_root(const std::string& dir) {
  if (!kernel_) return &poll_;
  if (options_.backend == WatchBackend::automatic) {
    if (std::optional<std::string_view> fs = unnotified_file_system(dir)) {
      notices_.once("file_system", LogLevel::info,
                    fmt::format("'{}' is on {}, which sends no change notifications for changes "
                                "made elsewhere: polling it every {}",
                                dir, *fs, interval_text(poll_interval())));
      return &poll_;
    }
  }
  return kernel_.get();
}

// A folder below a kernel-watched one is kernel-watched too, unless it is a
// mount point of a file system that sends no notifications.
FolderBackend* Engine::backend_below(FolderBackend* parent, const std::string& dir,
                                     std::uint64_t parent_device, const Stat& stat) {
  if (parent != kernel_.get() || stat.device == parent_device) return parent;
  return options_.backend == WatchBackend::automatic ? backend_for_root(dir) : parent;
}

FolderBackend* Engine::backend_of_parent(const std::string& path) {
  auto parent = folders_.find(std::string(parent_path(path)));
  return parent != folders_.end() ? parent->second : backend_for_root(path);
}

void Engine::limit_reached(const std::string& dir, int error) {
  const std::string fallback =
      fmt::format("'{}' and the folders below it are polled every {} instead. ", dir,
                  interval_text(poll_interval()));
  const std::string sysctl =
      "sudo sysctl fs.inotify.max_user_watches=524288 (to keep it after a reboot: "
      "echo fs.inotify.max_user_watches=524288 | sudo tee /etc/sysctl.d/90-inotify.conf)";
  if (error == ENOSPC)
    notices_.once(
        "max_user_watches", LogLevel::warn,
        fmt::format("the kernel's limit of inotify watches (fs.inotify.max_user_watches "
                    "= {}) is reached: {}Raise the limit: {}",
                    read_sysctl("/proc/sys/fs/inotify/max_user_watches"), fallback, sysctl));
  else
    notices_.once("max_kernel_watches", LogLevel::warn,
                  fmt::format("WatchOptions::max_kernel_watches ({}) is reached: {}Raise "
                              "max_kernel_watches, and if the kernel's own limit is in the way: {}",
                              options_.max_kernel_watches, fallback, sysctl));
}

void Engine::flush(Clock::time_point now) {
  std::vector<FileChange> due =
      coalescer_.take_due(now, [this](const std::string& path) { return scope_.wanted(path); });
  if (!due.empty()) deliver_(std::move(due));
}

void Engine::on_due() {
  // libuv's timers count whole milliseconds: an event due within the next
  // one is delivered now rather than up to a millisecond late.
  flush(Clock::now() + std::chrono::milliseconds(1));
}

void Engine::count_polled() {
  // With the polling backend chosen, nothing is polled *instead of* watched.
  polled_.store(options_.backend == WatchBackend::polling ? 0 : poll_.folders(),
                std::memory_order_relaxed);
}

}  // namespace hotmod::watch
