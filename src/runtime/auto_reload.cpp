#include "runtime/auto_reload.hpp"

#include "compile/source_builder.hpp"
#include "loader/module_kinds.hpp"
#include "registry/discovery.hpp"
#include "runtime/runtime_impl.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace hotmod::runtime {
namespace {

std::filesystem::path normal(const std::filesystem::path& p) {
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(p, ec);
  return (ec ? p : abs).lexically_normal();
}

bool has_wildcard(const std::string& s) {
  return s.find_first_of("*?[") != std::string::npos;
}

// Module paths hold build outputs: keep the editor and VCS excludes, but not
// "build" and friends, which would hide modules living in a build tree.
std::vector<std::string> module_excludes(const std::vector<std::string>& extra) {
  std::vector<std::string> out;
  for (const std::string& g : default_excludes())
    if (g != "build" && g.rfind("cmake-build", 0) != 0 && g != "CMakeFiles") out.push_back(g);
  out.insert(out.end(), extra.begin(), extra.end());
  return out;
}

}  // namespace

std::filesystem::path glob_base(const std::string& glob) {
  std::filesystem::path base = glob.starts_with('/') ? "/" : "";
  std::string rest = glob.starts_with('/') ? glob.substr(1) : glob;
  while (!rest.empty()) {
    std::size_t slash = rest.find('/');
    std::string part = rest.substr(0, slash);
    if (has_wildcard(part) || slash == std::string::npos) break;  // the last part may be a file
    base /= part;
    rest.erase(0, slash + 1);
  }
  return base;
}

AutoReloader::AutoReloader(runtime::Core& rt) : rt_(rt) {}

AutoReloader::~AutoReloader() {
  stop();
  std::error_code ec;
  if (!cookie_dir_.empty()) std::filesystem::remove_all(cookie_dir_, ec);
}

Result<WatchBackend> AutoReloader::start() {
  const RuntimeOptions& o = rt_.options;
  // One folder per reloader: runtimes of one process share the store's folder.
  static std::atomic<std::uint64_t> reloaders{0};
  Result<std::filesystem::path> cookies =
      rt_.store.private_subfolder("sync-" + std::to_string(++reloaders));
  if (cookies.ok())
    cookie_dir_ = normal(cookies.value());
  else
    rt_.log.warn(
        fmt::format("Runtime::sync() will not wait for the watcher: {}", cookies.error().message));
  WatchOptions w;
  w.paths = o.module_paths;
  if (!cookie_dir_.empty()) w.paths.push_back(cookie_dir_);
  w.debounce = o.debounce;
  w.backend = o.watch_backend;
  w.poll_interval = o.poll_interval;
  w.default_excludes = false;
  w.exclude = module_excludes(o.watch_exclude);
  // A save or a link is delivered as soon as it is complete: edit to running
  // waits for no debounce.
  for (const loader::KindRow& row : loader::module_kinds())
    for (std::string_view extension : row.extensions)
      (row.written == loader::KindRow::Written::by_linker ? w.complete_on_close : w.saved_on_close)
          .push_back(fmt::format("*{}", extension));
  for (std::string_view extension : loader::header_extensions())
    w.saved_on_close.push_back(fmt::format("*{}", extension));
  // The watcher's own notices: no hotmod source location to add.
  w.log = [this](LogLevel level, std::string_view m) { rt_.log.write(level, m, nullptr, 0); };
  modules_ = std::make_unique<FileWatcher>(w);
  modules_->on_change([this](const FileChange& c) { on_module_file(c); });
  Result<WatchBackend> started = modules_->start();
  if (!started.ok()) return started;

  if (!o.builds.empty()) {
    WatchOptions s = w;
    s.paths.clear();
    // A build rule's sources are debounced: a change while its build runs is
    // taken for the build's own output (generated sources), so two saves
    // moments apart must arrive as one.
    s.complete_on_close.clear();
    s.saved_on_close.clear();
    if (!cookie_dir_.empty()) s.paths.push_back(cookie_dir_);
    s.default_excludes = true;
    s.exclude = o.watch_exclude;
    for (const auto& [name, rule] : o.builds)
      for (const std::string& glob : rule.sources) {
        const std::string absolute =
            (normal(rule.directory) / glob).lexically_normal().generic_string();
        source_globs_.emplace_back(name, absolute.substr(1));
        std::filesystem::path dir = glob_base(absolute);
        if (!std::filesystem::exists(dir))
          rt_.log.warn(fmt::format(
              "module '{}': its sources '{}' are looked for in '{}', which does not exist (yet)",
              name, glob, dir.string()));
        if (std::find(s.paths.begin(), s.paths.end(), dir) == s.paths.end()) s.paths.push_back(dir);
      }
    sources_ = std::make_unique<FileWatcher>(s);
    sources_->on_change([this](const FileChange& c) { on_source_file(c); });
    Result<WatchBackend> sources_started = sources_->start();
    if (!sources_started.ok())
      rt_.log.warn(fmt::format("cannot watch the sources of modules with a build rule: {}",
                               sources_started.error().message));
    std::lock_guard lock(mu_);
    cookie_live_[sources_watcher] = sources_started.ok();
  }
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
    cookie_live_[modules_watcher] = true;
  }
  cancel_.store(false);
  worker_ = std::thread([this] { work(); });
  return started;
}

bool AutoReloader::on_worker_thread() const {
  return worker_.get_id() == std::this_thread::get_id();
}

void AutoReloader::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cancel_.store(true);
  build_cancel_.store(true);
  wake_.notify_all();
  synced_cv_.notify_all();
  if (modules_) modules_->stop();
  if (sources_) sources_->stop();
  if (worker_.joinable() && !on_worker_thread()) worker_.join();
  if (headers_ && !on_worker_thread()) headers_->stop();
}

bool AutoReloader::sync(std::chrono::milliseconds limit) {
  if (cookie_dir_.empty() || on_worker_thread()) return false;
  std::uint64_t n = 0;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return false;
    n = ++cookies_made_;
  }
  // A new name each time: its creation is one unambiguous event, whatever
  // the watchers coalesce.
  const std::filesystem::path cookie = cookie_dir_ / ("cookie-" + std::to_string(n));
  const int fd = ::open(cookie.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    rt_.log.warn(fmt::format("Runtime::sync(): cannot create {}: {}", cookie.string(),
                             std::strerror(errno)));
    return false;
  }
  ::close(fd);
  bool done = false;
  {
    std::unique_lock lock(mu_);
    synced_cv_.wait_for(lock, limit, [&] { return stopping_ || synced_ >= n; });
    done = synced_ >= n;
  }
  std::error_code ec;
  std::filesystem::remove(cookie, ec);
  return done;
}

bool AutoReloader::passed_cookie(const FileChange& change, CookieWatcher from) {
  if (cookie_dir_.empty() || change.path.parent_path() != cookie_dir_) return false;
  const std::string name = change.path.filename().string();
  if (change.kind == ChangeKind::created && name.starts_with("cookie-")) {
    const std::uint64_t n = std::strtoull(name.c_str() + 7, nullptr, 10);
    std::lock_guard lock(mu_);
    cookie_seen_[from] = std::max(cookie_seen_[from], n);
    wake_.notify_one();
  }
  return true;  // the cookie's removal, too, is nothing to reload
}

std::uint64_t AutoReloader::cookies_passed() const {
  std::uint64_t passed = cookies_made_;
  for (int w = 0; w < cookie_watchers; ++w)
    if (cookie_live_[w]) passed = std::min(passed, cookie_seen_[w]);
  return passed;
}

void AutoReloader::set_headers_live(bool live) {
  std::lock_guard lock(mu_);
  cookie_live_[headers_watcher] = live;
  // A watcher started now cannot see the cookies made before: nothing
  // it would have to deliver came before them.
  cookie_seen_[headers_watcher] = cookies_made_;
}

void AutoReloader::on_module_file(const FileChange& change) {
  if (passed_cookie(change, modules_watcher)) return;
  const std::filesystem::path file = normal(change.path);
  std::string module;
  {
    std::shared_lock lock(rt_.registry_mu);
    for (const auto& [name, slot] : rt_.slots)
      if (slot->kind() != ModuleKind::source && normal(slot->path()) == file) {
        module = name;
        break;
      }
  }
  // A new, removed or renamed module file or folder changes what discovery
  // finds (object files and the like in a build tree do not); a module file
  // written in place only needs its module reloaded.
  auto module_file = [](const std::filesystem::path& p) {
    return loader::kind_by_extension(p).has_value() || p.filename() == loader::kModuleMarker;
  };
  const bool could_be_module =
      change.is_directory || module_file(file) || module_file(change.old_path);
  std::lock_guard lock(mu_);
  if (could_be_module && (module.empty() || change.kind != ChangeKind::modified)) rescan_ = true;
  if (!module.empty() && change.kind != ChangeKind::deleted) {
    queued_.try_emplace(module, false);
    if (change.still_being_written)
      being_written_.insert(module);
    else
      being_written_.erase(module);  // closed since: what it reads is what was written
  }
  queue_source_users(file);
  if (!change.old_path.empty()) queue_source_users(normal(change.old_path));
  wake_.notify_one();
}

void AutoReloader::on_header_file(const FileChange& change) {
  if (passed_cookie(change, headers_watcher)) return;
  std::lock_guard lock(mu_);
  queue_source_users(normal(change.path));
  if (!change.old_path.empty()) queue_source_users(normal(change.old_path));
  wake_.notify_one();
}

void AutoReloader::queue_source_users(const std::filesystem::path& file) {
  std::vector<std::string> users;
  {
    std::shared_lock lock(rt_.registry_mu);
    for (const auto& [name, slot] : rt_.slots) {
      if (slot->kind() != ModuleKind::source) continue;
      const std::filesystem::path root = normal(slot->path());
      const auto rel = file.lexically_relative(root);
      // Inside a marked folder, only sources, headers and the marker count:
      // a module writing data or logs into its folder must not rebuild itself.
      const bool code = loader::is_source_code(file);
      bool uses =
          file == root || (code && !rel.empty() && *rel.begin() != ".." && *rel.begin() != ".");
      if (!uses)
        for (const std::filesystem::path& input : slot->build_inputs())
          if (input == file) {
            uses = true;
            break;
          }
      if (uses) users.push_back(name);
    }
  }
  for (const std::string& m : users) {
    queued_.try_emplace(m, false);
    if (m == building_) build_cancel_.store(true);  // out of date: start again
  }
}

void AutoReloader::watch_headers() {
  const std::uint64_t seen = rt_.source_inputs_changes.load();
  if (seen == inputs_seen_) return;
  inputs_seen_ = seen;
  std::vector<std::filesystem::path> roots;
  for (const auto& p : rt_.options.module_paths) roots.push_back(normal(p));
  const std::string cache = normal(rt_.source_builder().cache_dir()).generic_string() + "/";
  auto covered = [&](const std::filesystem::path& dir) {
    const std::string d = dir.generic_string() + "/";
    // System headers change with a package upgrade, not an edit.
    if (d.starts_with("/usr/") || d.starts_with("/opt/") || d.starts_with("/nix/")) return true;
    for (const auto& r : roots)
      if (d.starts_with(r.generic_string() + "/")) return true;
    return d.starts_with(cache);  // the build cache's own files (the PCH)
  };
  std::vector<std::filesystem::path> dirs;
  {
    std::shared_lock lock(rt_.registry_mu);
    for (const auto& [name, slot] : rt_.slots) {
      // Every source module that was ever built (loaded or failed): a module
      // loading right now has its inputs before it counts as loaded.
      if (slot->kind() != ModuleKind::source) continue;
      for (const std::filesystem::path& input : slot->build_inputs()) {
        std::filesystem::path dir = input.parent_path();
        if (!covered(dir) && std::find(dirs.begin(), dirs.end(), dir) == dirs.end())
          dirs.push_back(dir);
      }
    }
  }
  std::sort(dirs.begin(), dirs.end());
  if (dirs == header_dirs_) return;
  header_dirs_ = dirs;
  if (headers_) headers_->stop();
  headers_.reset();
  set_headers_live(false);
  if (dirs.empty()) return;
  WatchOptions w = modules_->options();
  w.paths = dirs;
  if (!cookie_dir_.empty()) w.paths.push_back(cookie_dir_);
  w.default_excludes = true;
  w.exclude = rt_.options.watch_exclude;
  headers_ = std::make_unique<FileWatcher>(w);
  headers_->on_change([this](const FileChange& c) { on_header_file(c); });
  Result<WatchBackend> started = headers_->start();
  set_headers_live(started.ok());
  if (!started.ok())
    rt_.log.warn(fmt::format("cannot watch the headers source modules include: {}",
                             started.error().message));
  else
    rt_.log.debug(
        fmt::format("watching {} header folder(s) outside the module paths", dirs.size()));
}

void AutoReloader::on_source_file(const FileChange& change) {
  if (passed_cookie(change, sources_watcher)) return;
  const std::string file = normal(change.path).generic_string().substr(1);
  std::vector<std::string> modules;
  for (const auto& [name, glob] : source_globs_)
    if (glob_match(glob, file) && std::find(modules.begin(), modules.end(), name) == modules.end())
      modules.push_back(name);
  if (modules.empty()) return;
  std::lock_guard lock(mu_);
  for (const std::string& m : modules) {
    auto w = builds_.find(m);
    if (w != builds_.end() && change.time >= w->second.start && change.time <= w->second.end)
      continue;  // written while its build ran: the build's own output
    queued_[m] = true;
  }
  wake_.notify_one();
}

void AutoReloader::work() {
  std::unique_lock lock(mu_);
  for (;;) {
    // Woken by changes; every quarter second it also follows the headers
    // source modules loaded elsewhere (first uses) include.
    wake_.wait_for(lock, std::chrono::milliseconds(250), [this] {
      return stopping_ || rescan_ || !queued_.empty() || cookies_passed() > synced_;
    });
    if (stopping_) return;
    // Everything the watchers saw before these cookies is queued by now:
    // once this batch is handled, their sync() calls may return.
    const std::uint64_t passed = cookies_passed();
    const bool rescan = std::exchange(rescan_, false);
    std::map<std::string, bool> queued;  // module -> needs a build
    queued.swap(queued_);
    std::set<std::string> being_written;
    being_written.swap(being_written_);
    lock.unlock();
    try {
      watch_headers();
    } catch (const std::exception& e) {
      rt_.log.error(fmt::format("watching the headers of source modules failed: {}", e.what()));
    }
    // Imports before their importers, so a dependent reloads against the
    // new version of what it imports.
    std::vector<std::string> names;
    for (const auto& [module, build] : queued) names.push_back(module);
    std::vector<std::pair<std::string, bool>> batch;
    for (const std::string& m : rt_.imports.reload_order(names)) batch.emplace_back(m, queued[m]);
    // Nothing a module or a callback throws may end the worker (and with it
    // the process): it is logged, and the next change is handled as usual.
    try {
      if (rescan) announce_discovery();
    } catch (const std::exception& e) {
      rt_.log.error(fmt::format("rescanning the module paths failed: {}", e.what()));
    }
    for (const auto& [module, build] : batch) {
      if (cancel_.load()) break;
      try {
        process(module, build, being_written.count(module) != 0);
      } catch (const std::exception& e) {
        rt_.log.error(fmt::format("reloading module '{}' on change failed: {}", module, e.what()));
      } catch (...) {
        rt_.log.error(
            fmt::format("reloading module '{}' on change failed: unknown exception", module));
      }
    }
    lock.lock();
    if (passed > synced_) {
      synced_ = passed;
      synced_cv_.notify_all();
    }
  }
}

void AutoReloader::announce_discovery() {
  rt_.rescan();
  RefreshReport ignored;
  rt_.announce_discovery(ignored);
}

void AutoReloader::process(const std::string& module, bool build, bool being_written) {
  Error error;
  std::shared_ptr<registry::Slot> slot = rt_.find(module, &error);
  if (!slot) {
    rt_.log.info(fmt::format("module '{}' changed but is not in the module paths: {}", module,
                             error.message));
    return;
  }
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    building_ = module;
    build_cancel_.store(false);
    if (build)
      builds_[module] = {std::chrono::steady_clock::now(),
                         std::chrono::steady_clock::time_point::max()};
  }
  rt_.reload_changed(
      *slot, build, &build_cancel_,
      being_written ? reload::FileState::maybe_being_written : reload::FileState::settled);
  {
    std::lock_guard lock(mu_);
    building_.clear();
    if (build) builds_[module].end = std::chrono::steady_clock::now();
  }
  rt_.deliver_notices();
}

}  // namespace hotmod::runtime
