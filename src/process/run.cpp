#include "process/run.hpp"

#include <fmt/format.h>

#include <signal.h>

namespace hotmod::process {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A screenful of compiler errors many times over; a runaway command must not
// grow the host's memory without bound. The first errors matter most, the
// last lines say how it ended: keep both.
constexpr std::size_t kKeepHead = 256 * 1024;
constexpr std::size_t kKeepTail = 768 * 1024;
constexpr auto kKillAfter = std::chrono::seconds(2);
constexpr auto kDrainAfterExit = milliseconds(200);
// How often a run with a cancel flag looks at it.
constexpr auto kCancelCheck = milliseconds(20);

class Output {
 public:
  void add(const std::string& chunk) {
    std::string_view data = chunk;
    if (head_.size() < kKeepHead) {
      const std::size_t take = std::min(data.size(), kKeepHead - head_.size());
      head_.append(data.substr(0, take));
      data.remove_prefix(take);
    }
    if (data.empty()) return;
    tail_.append(data);
    if (tail_.size() > kKeepTail) {
      cut_ += tail_.size() - kKeepTail;
      tail_.erase(0, tail_.size() - kKeepTail);
    }
  }
  std::string take() {
    if (cut_ == 0) return head_ + tail_;
    return fmt::format("{}\n[... {} bytes of output left out ...]\n{}", head_, cut_, tail_);
  }

 private:
  std::string head_, tail_;
  std::size_t cut_ = 0;
};

}  // namespace

std::string Outcome::describe() const {
  if (!started) return error;
  if (timed_out)
    return fmt::format("stopped after {} s, its time limit",
                       std::chrono::duration_cast<std::chrono::seconds>(limit).count());
  if (cancelled) return "cancelled";
  if (signal != 0) return fmt::format("killed by signal {}", signal);
  if (status_lost) return "exit status unknown: the process waiting for it was killed";
  return fmt::format("exit code {}", exit_code);
}

Outcome run(const Command& command, const std::atomic<bool>* cancel,
            std::chrono::nanoseconds limit) {
  Outcome result;
  result.limit = limit;
  const auto start = Clock::now();
  Result<Child> spawned = Child::spawn(command);
  if (!spawned.ok()) {
    result.error = spawned.error().message;
    return result;
  }
  result.started = true;
  Child& child = spawned.value();

  // Read until the pipe closes (everything holding it exited), watching for
  // a cancel; then reap. After the exit, a process it left in the
  // background may hold the pipe open for good: drain only briefly.
  Output out;
  Clock::time_point term_time{};
  const bool limited = limit.count() > 0;
  auto check_cancel = [&] {
    const bool over = limited && Clock::now() - start > limit;
    if (!over && (cancel == nullptr || !cancel->load())) return;
    if (!result.cancelled && !result.timed_out) {
      (over ? result.timed_out : result.cancelled) = true;
      term_time = Clock::now();
      child.signal(SIGTERM);
    } else if (Clock::now() - term_time > kKillAfter) {
      child.signal(SIGKILL);
    }
  };
  const milliseconds step = cancel != nullptr || limited ? kCancelCheck : milliseconds(1000);
  std::optional<Exit> exit;
  Clock::time_point exit_time{};
  std::string chunk;
  for (bool open = true; open;) {
    milliseconds timeout = step;
    if (exit) {
      timeout =
          std::chrono::duration_cast<milliseconds>(kDrainAfterExit - (Clock::now() - exit_time));
      if (timeout.count() <= 0) break;
    }
    chunk.clear();
    open = child.read(chunk, timeout);
    if (!chunk.empty()) out.add(chunk);
    if (!exit && (exit = child.wait_for(milliseconds(0)))) exit_time = Clock::now();
    if (!exit) check_cancel();
  }
  while (!exit) {
    exit = child.wait_for(step);
    if (!exit) check_cancel();
  }
  result.exit_code = exit->code;
  result.signal = exit->signal;
  result.status_lost = exit->status_lost;
  result.output = out.take();
  result.duration = Clock::now() - start;
  return result;
}

}  // namespace hotmod::process
