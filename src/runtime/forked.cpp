#include "runtime/forked.hpp"

#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace hotmod::runtime {
namespace {

std::atomic<std::uint64_t> g_generation{0};

void in_child() {
  g_generation.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

std::uint64_t fork_generation() {
  static const bool registered = pthread_atfork(nullptr, nullptr, &in_child) == 0;
  (void)registered;
  return g_generation.load(std::memory_order_relaxed);
}

int this_pid() {
  return ::getpid();
}

void say_in_child(std::string_view text) {
  const std::string line = fmt::format("hotmod: {}\n", text);
  const ssize_t written = ::write(STDERR_FILENO, line.data(), line.size());
  static_cast<void>(written);  // nothing more to do if stderr is gone
}

void keep_forever(std::shared_ptr<void> core) {
  // Reachable from a static for leak checkers; never freed.
  static auto* kept = new std::vector<std::shared_ptr<void>>();
  kept->push_back(std::move(core));
}

std::string fork_refusal(std::string_view what, int parent_pid) {
  return fmt::format(
      "cannot {} in this process ({}): its runtime was made by process {} before a fork(), and "
      "the runtime's threads did not follow into the child; make a new Runtime here, or exec",
      what, ::getpid(), parent_pid);
}

}  // namespace hotmod::runtime
