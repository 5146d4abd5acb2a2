#include "watch_support.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <gtest/gtest.h>

namespace hotmod_watch {
namespace {

void write_all(int fd, std::string_view text, const fs::path& path) {
  while (!text.empty()) {
    ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error("write " + path.string() + ": " + std::strerror(errno));
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

void write_with(const fs::path& path, std::string_view text, int flags) {
  int fd = ::open(path.c_str(), flags | O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("open " + path.string() + ": " + std::strerror(errno));
  write_all(fd, text, path);
  ::close(fd);
}

}  // namespace

void write_file(const fs::path& path, std::string_view text) {
  write_with(path, text, O_TRUNC);
}

void append(const fs::path& path, std::string_view text) {
  write_with(path, text, O_APPEND);
}

void atomic_save(const fs::path& path, const fs::path& temp, std::string_view text) {
  write_file(temp, text);
  fs::rename(temp, path);
}

Strings sorted(Strings s) {
  std::sort(s.begin(), s.end());
  return s;
}

std::string describe(const hotmod::FileChange& change, const fs::path& base) {
  auto relative = [&](const fs::path& p) {
    std::string text = p.lexically_relative(base).generic_string();
    return change.is_directory ? text + "/" : text;
  };
  std::string text = std::string(hotmod::to_string(change.kind)) + " " + relative(change.path);
  if (change.kind == hotmod::ChangeKind::renamed) text += " <- " + relative(change.old_path);
  return text;
}

WatchFixture::WatchFixture(hotmod::WatchOptions options, Strings paths, bool make_tree)
    : tmp_("hotmod-watch"), cookie_(tmp_.path() / "cookies" / "cookie") {
  if (make_tree) fs::create_directories(tree());
  fs::create_directories(cookie_.parent_path());
  write_file(cookie_, "");
  for (const std::string& path : paths) options.paths.push_back(tmp_.path() / path);
  options.paths.push_back(cookie_);
  watcher_ = std::make_unique<hotmod::FileWatcher>(std::move(options));
}

WatchFixture::~WatchFixture() {
  watcher_.reset();
}

hotmod::WatchBackend WatchFixture::start() {
  hotmod::Result<hotmod::WatchBackend> started = watcher_->start();
  EXPECT_TRUE(started.ok()) << started.error().message;
  EXPECT_TRUE(watcher_->is_watching());
  return started.ok() ? started.value() : hotmod::WatchBackend::automatic;
}

bool WatchFixture::is_cookie(const hotmod::FileChange& change) const {
  return change.path == cookie_;
}

Strings WatchFixture::sync() {
  // A new size every time: a poll must see a change even within one tick
  // of the file system's clock.
  write_file(cookie_, std::string(static_cast<std::size_t>(++cookie_count_), 'x'));
  Strings seen;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    std::optional<hotmod::FileChange> change =
        watcher_->wait_for_change(std::max(left, std::chrono::milliseconds(0)));
    if (!change) {
      std::string so_far;
      for (const std::string& s : seen) so_far += "\n  " + s;
      ADD_FAILURE() << "no event for the sync cookie " << cookie_ << "; seen:" << so_far;
      return seen;
    }
    if (is_cookie(*change)) break;
    seen.push_back(describe(*change, base()));
  }
  // Delivered in the same batch as the cookie (same poll, same instant).
  for (const hotmod::FileChange& change : watcher_->drain_events())
    if (!is_cookie(change)) seen.push_back(describe(change, base()));
  return seen;
}

std::string WatchFixture::next() {
  for (;;) {
    std::optional<hotmod::FileChange> change = watcher_->wait_for_change(20s);
    if (!change) return {};
    if (!is_cookie(*change)) return describe(*change, base());
  }
}

bool WatchFixture::quiet() {
  const hotmod::WatchOptions& o = options();
  auto window = 3 * o.debounce + 50ms;
  if (o.backend == hotmod::WatchBackend::polling) window += 3 * o.poll_interval;
  const auto until = std::chrono::steady_clock::now() + window;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left <= 0ms) return true;
    std::optional<hotmod::FileChange> change = watcher_->wait_for_change(left);
    if (!change) return true;
    if (!is_cookie(*change)) {
      ADD_FAILURE() << "unexpected event: " << describe(*change, base());
      return false;
    }
  }
}

}  // namespace hotmod_watch
