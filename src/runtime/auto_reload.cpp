#include "runtime/auto_reload.hpp"

#include "runtime/runtime_impl.hpp"

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
  std::filesystem::path base;
  std::string rest = glob;
  while (!rest.empty()) {
    std::size_t slash = rest.find('/');
    std::string part = rest.substr(0, slash);
    if (has_wildcard(part) || slash == std::string::npos) break;  // the last part may be a file
    base /= part;
    rest.erase(0, slash + 1);
  }
  return base;
}

AutoReloader::AutoReloader(Runtime::Impl& rt) : rt_(rt) {}

AutoReloader::~AutoReloader() {
  stop();
}

Result<WatchBackend> AutoReloader::start() {
  const RuntimeOptions& o = rt_.options;
  WatchOptions w;
  w.paths = o.module_paths;
  w.debounce = o.debounce;
  w.backend = o.watch_backend;
  w.poll_interval = o.poll_interval;
  w.default_excludes = false;
  w.exclude = module_excludes(o.watch_exclude);
  w.log = [this](LogLevel level, std::string_view m) { rt_.log.write(level, m); };
  modules_ = std::make_unique<FileWatcher>(w);
  modules_->on_change([this](const FileChange& c) { on_module_file(c); });
  Result<WatchBackend> started = modules_->start();
  if (!started.ok()) return started;

  if (!o.builds.empty()) {
    WatchOptions s = w;
    s.paths.clear();
    s.default_excludes = true;
    s.exclude = o.watch_exclude;
    for (const auto& [name, rule] : o.builds)
      for (const std::string& glob : rule.sources) {
        std::filesystem::path dir = normal(rule.directory / glob_base(glob));
        if (std::find(s.paths.begin(), s.paths.end(), dir) == s.paths.end()) s.paths.push_back(dir);
      }
    sources_ = std::make_unique<FileWatcher>(s);
    sources_->on_change([this](const FileChange& c) { on_source_file(c); });
    Result<WatchBackend> sources_started = sources_->start();
    if (!sources_started.ok())
      rt_.log.warn("cannot watch the sources of modules with a build rule: " +
                   sources_started.error().message);
  }
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  worker_ = std::thread([this] { work(); });
  return started;
}

void AutoReloader::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (modules_) modules_->stop();
  if (sources_) sources_->stop();
  if (worker_.joinable()) worker_.join();
}

void AutoReloader::on_module_file(const FileChange& change) {
  const std::filesystem::path file = normal(change.path);
  std::string module;
  {
    std::shared_lock lock(rt_.registry_mu);
    for (const auto& [name, slot] : rt_.slots)
      if (normal(slot->path()) == file) {
        module = name;
        break;
      }
  }
  std::lock_guard lock(mu_);
  // A new, removed or renamed file changes what discovery finds; a file
  // written in place only needs its module reloaded.
  if (module.empty() || change.kind != ChangeKind::modified) rescan_ = true;
  if (!module.empty() && change.kind != ChangeKind::deleted) queued_.try_emplace(module, false);
  wake_.notify_one();
}

void AutoReloader::on_source_file(const FileChange& change) {
  const std::filesystem::path file = normal(change.path);
  std::vector<std::string> modules;
  for (const auto& [name, rule] : rt_.options.builds) {
    const std::filesystem::path dir = normal(rule.directory);
    const std::string rel = file.lexically_relative(dir).generic_string();
    if (rel.empty() || rel.rfind("..", 0) == 0) continue;
    for (const std::string& glob : rule.sources)
      if (glob_match(glob, rel)) {
        modules.push_back(name);
        break;
      }
  }
  if (modules.empty()) return;
  std::lock_guard lock(mu_);
  for (const std::string& m : modules) queued_[m] = true;
  wake_.notify_one();
}

void AutoReloader::work() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || rescan_ || !queued_.empty(); });
    if (stopping_) return;
    const bool rescan = std::exchange(rescan_, false);
    std::map<std::string, bool> todo;
    todo.swap(queued_);
    lock.unlock();
    if (rescan) announce_discovery();
    for (const auto& [module, build] : todo) process(module, build);
    lock.lock();
  }
}

void AutoReloader::announce_discovery() {
  rt_.rescan();
  RefreshReport ignored;
  rt_.announce_discovery(ignored);
}

void AutoReloader::process(const std::string& module, bool build) {
  Error error;
  std::shared_ptr<registry::Slot> slot = rt_.find(module, &error);
  if (!slot) return;
  if (!slot->loaded.load(std::memory_order_acquire)) {
    rt_.log.debug("module '" + module + "' changed but was never loaded: nothing to reload");
    return;
  }
  rt_.reload_changed(*slot, build);
  rt_.deliver_notices();
}

}  // namespace hotmod::runtime
