#include "cli/repl_notices.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include "hotmod/config.hpp"

namespace hotmod::cli {

Notices::Notices() : owner_(std::this_thread::get_id()) {
  if (::pipe2(fds_, O_CLOEXEC | O_NONBLOCK) != 0) fds_[0] = fds_[1] = -1;
}

Notices::~Notices() {
  for (int fd : fds_)
    if (fd >= 0) ::close(fd);
}

void Notices::push(std::string line) {
  {
    std::lock_guard lock(mu_);
    lines_.push_back(std::move(line));
  }
  // A full pipe already wakes the reader: a failed write loses nothing.
  const char byte = 1;
  if (fds_[1] >= 0) (void)!::write(fds_[1], &byte, 1);
}

std::vector<std::string> Notices::take() {
  char drain[256];
  while (fds_[0] >= 0 && ::read(fds_[0], drain, sizeof drain) > 0) {
  }
  std::lock_guard lock(mu_);
  return std::exchange(lines_, {});
}

std::function<void(LogLevel, std::string_view)> repl_log_sink(
    Notices& notices, LogLevel level, bool errors, std::function<void(std::string_view)> direct) {
  return [&notices, level, errors, direct = std::move(direct)](LogLevel l, std::string_view text) {
    if (static_cast<int>(l) < static_cast<int>(level)) return;
    if (l == LogLevel::error && !errors) return;
    std::string line = fmt::format("[{}] {}", to_string(l), text);
    if (notices.on_repl_thread())
      direct(line + "\n");
    else
      notices.push(std::move(line));
  };
}

}  // namespace hotmod::cli
