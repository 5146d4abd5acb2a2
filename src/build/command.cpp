#include "build/command.hpp"

#include <uv.h>

#include <csignal>

namespace hotmod::build {
namespace {

// Enough for a screenful of compiler errors many times over; a runaway
// command must not grow the host's memory without bound.
constexpr std::size_t kMaxOutput = 1 << 20;

struct Run {
  uv_loop_t loop{};
  uv_process_t process{};
  uv_pipe_t pipe{};
  uv_timer_t cancel_timer{};
  const std::atomic<bool>* cancel = nullptr;
  CommandResult* result = nullptr;
  bool exited = false;
};

void keep_tail(std::string& out) {
  if (out.size() > kMaxOutput) out.erase(0, out.size() - kMaxOutput);
}

}  // namespace

std::string CommandResult::describe() const {
  if (!started) return error;
  if (cancelled) return "cancelled";
  if (signal != 0) return "killed by signal " + std::to_string(signal);
  return "exit code " + std::to_string(exit_code);
}

CommandResult run_command(const std::string& command, const std::filesystem::path& directory,
                          const std::atomic<bool>* cancel) {
  CommandResult result;
  const auto start = std::chrono::steady_clock::now();
  Run run;
  run.cancel = cancel;
  run.result = &result;
  uv_loop_init(&run.loop);
  run.loop.data = &run;
  uv_pipe_init(&run.loop, &run.pipe, 0);

  std::string dir = directory.empty() ? std::string(".") : directory.string();
  // stderr joins stdout inside the shell, so the two keep their order.
  const std::string script = "exec 2>&1\n" + command;
  const char* args[] = {"/bin/sh", "-c", script.c_str(), nullptr};
  uv_stdio_container_t stdio[3];
  stdio[0].flags = UV_IGNORE;
  stdio[1].flags = static_cast<uv_stdio_flags>(UV_CREATE_PIPE | UV_WRITABLE_PIPE);
  stdio[1].data.stream = reinterpret_cast<uv_stream_t*>(&run.pipe);
  stdio[2].flags = UV_IGNORE;

  uv_process_options_t options{};
  options.file = args[0];
  options.args = const_cast<char**>(args);
  options.cwd = dir.c_str();
  options.stdio = stdio;
  options.stdio_count = 3;
  // Its own process group, so cancelling stops what the shell started too.
  options.flags = UV_PROCESS_DETACHED;
  options.exit_cb = [](uv_process_t* p, int64_t status, int sig) {
    auto* r = static_cast<Run*>(p->loop->data);
    r->exited = true;
    r->result->exit_code = static_cast<int>(status);
    r->result->signal = sig;
    uv_close(reinterpret_cast<uv_handle_t*>(p), nullptr);
    if (uv_is_active(reinterpret_cast<uv_handle_t*>(&r->cancel_timer)))
      uv_timer_stop(&r->cancel_timer);
  };

  int rc = uv_spawn(&run.loop, &run.process, &options);
  if (rc != 0) {
    result.error = "cannot run '" + command + "' in '" + dir + "': " + uv_strerror(rc);
    uv_close(reinterpret_cast<uv_handle_t*>(&run.pipe), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&run.process), nullptr);
  } else {
    result.started = true;
    uv_read_start(
        reinterpret_cast<uv_stream_t*>(&run.pipe),
        [](uv_handle_t*, size_t suggested, uv_buf_t* buf) {
          buf->base = new char[suggested];
          buf->len = suggested;
        },
        [](uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
          auto* r = static_cast<Run*>(s->loop->data);
          if (n > 0) {
            r->result->output.append(buf->base, static_cast<std::size_t>(n));
            keep_tail(r->result->output);
          } else if (n < 0) {
            uv_close(reinterpret_cast<uv_handle_t*>(s), nullptr);  // EOF or error
          }
          delete[] buf->base;
        });
    if (cancel != nullptr) {
      uv_timer_init(&run.loop, &run.cancel_timer);
      uv_timer_start(
          &run.cancel_timer,
          [](uv_timer_t* t) {
            auto* r = static_cast<Run*>(t->loop->data);
            if (r->exited || !r->cancel->load()) return;
            r->result->cancelled = true;
            uv_kill(-r->process.pid, SIGTERM);
            uv_timer_stop(t);
          },
          10, 10);
    }
  }
  uv_run(&run.loop, UV_RUN_DEFAULT);
  if (cancel != nullptr && rc == 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&run.cancel_timer), nullptr);
    uv_run(&run.loop, UV_RUN_DEFAULT);
  }
  uv_loop_close(&run.loop);
  result.duration = std::chrono::steady_clock::now() - start;
  return result;
}

}  // namespace hotmod::build
