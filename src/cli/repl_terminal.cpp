#include "cli/repl_terminal.hpp"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

// After the C++ headers: it declares C functions without extern "C" guards
// on some versions.
#include <editline/readline.h>
#include <fmt/format.h>

#include "cli/repl_completion.hpp"
#include "cli/repl_history.hpp"

namespace hotmod::cli {
namespace {

constexpr const char* kPrompt = "hotmod> ";
constexpr const char* kContinue = "...> ";

// libedit's callbacks are plain functions: the loop's state lives here, set
// for the duration of run_terminal_loop().
struct Loop {
  Session* session = nullptr;
  bool quit = false;
  bool line_done = false;  // on_line ran: the editor needs re-arming
  std::filesystem::path history;
  bool history_warned = false;
};
Loop* g_loop = nullptr;
int g_signal_pipe[2] = {-1, -1};
// The session the signal handler may interrupt: set while the loop runs.
std::atomic<Session*> g_session{nullptr};
static_assert(std::atomic<Session*>::is_always_lock_free, "read from a signal handler");

// Ctrl-C while a Lua chunk runs stops it (as lua.c does: a hook raises
// "interrupted!", which the session reports as the line's error); between
// lines it goes through the signal pipe and drops the line being typed.
void on_signal(int signal) {
  const int saved = errno;
  if (Session* session = g_session.load(); signal == SIGINT && session != nullptr) {
    if (session->interrupt()) {
      errno = saved;
      return;
    }
  }
  const char byte = static_cast<char>(signal);
  (void)!::write(g_signal_pipe[1], &byte, 1);
  errno = saved;
}

void warn_history_once(const std::string& why) {
  if (g_loop->history_warned) return;
  g_loop->history_warned = true;
  g_loop->session->error(
      fmt::format("cannot keep the history in {} ({}); lines are remembered for this session only",
                  g_loop->history.string(), why));
}

void save_history(const char* line) {
  add_history(line);
  if (g_loop->history.empty()) return;
  if (int rc = write_history(g_loop->history.c_str()); rc != 0)
    warn_history_once(std::strerror(rc));
}

void on_line(char* line) {
  if (line == nullptr) {  // Ctrl-D on an empty line
    std::fputs("\n", stdout);
    g_loop->quit = true;
    return;
  }
  g_loop->line_done = true;
  const std::string text(line);
  std::free(line);
  if (!text.empty()) save_history(text.c_str());
  if (g_loop->session->feed(text) == Session::Fed::quit) {
    g_loop->quit = true;
    return;
  }
}

// Some libedit versions leave the terminal in cooked mode, unbuffered
// reading off and no prompt shown after a line's callback; installing the
// handler again turns character-at-a-time reading back on and shows the
// prompt. On versions that re-arm by themselves it changes nothing.
void rearm() {
  g_loop->line_done = false;
  rl_callback_handler_install(g_loop->session->continuing() ? kContinue : kPrompt, on_line);
}

// libedit replaces the word before the cursor with matches[0] and lists
// the rest: matches[0] is their longest common prefix.
char** on_complete(const char*, int, int end) {
  rl_attempted_completion_over = 1;  // never fall back to file names
  const std::vector<std::string> words =
      g_loop->session->complete(std::string_view(rl_line_buffer, static_cast<std::size_t>(end)));
  if (words.empty()) return nullptr;
  std::string common = words.front();
  for (const std::string& w : words) {
    std::size_t n = 0;
    while (n < common.size() && n < w.size() && common[n] == w[n]) ++n;
    common.resize(n);
  }
  auto** matches = static_cast<char**>(std::calloc(words.size() + 2, sizeof(char*)));
  matches[0] = ::strdup(common.c_str());
  if (words.size() > 1)
    for (std::size_t i = 0; i < words.size(); ++i) matches[i + 1] = ::strdup(words[i].c_str());
  return matches;
}

// Prints `lines` above the prompt, then redraws the prompt and what was typed.
void print_above_prompt(const std::vector<std::string>& lines) {
  const std::string typed(rl_line_buffer, static_cast<std::size_t>(rl_end));
  const int point = rl_point;
  std::fputs("\r\033[K", stdout);  // the prompt's line, emptied
  for (const std::string& l : lines) std::printf("%s\r\n", l.c_str());
  std::fflush(stdout);
  rl_replace_line(typed.c_str(), 0);
  rl_point = point;
  rl_forced_update_display();
}

void on_interrupt() {
  g_loop->session->reset_chunk();
  std::fputs("^C\r\n", stdout);
  rl_replace_line("", 0);
  rl_set_prompt(kPrompt);
  rl_forced_update_display();
}

void open_history() {
  g_loop->history = history_path();
  if (g_loop->history.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(g_loop->history.parent_path(), ec);
  if (ec) {
    warn_history_once(ec.message());
    g_loop->history.clear();
    return;
  }
  stifle_history(1000);
  (void)read_history(g_loop->history.c_str());  // none yet is fine
}

void install_signals(struct sigaction* old_int, struct sigaction* old_winch) {
  if (::pipe(g_signal_pipe) != 0) g_signal_pipe[0] = g_signal_pipe[1] = -1;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, old_int);
  sigaction(SIGWINCH, &sa, old_winch);
}

}  // namespace

int run_terminal_loop(Session& session, Notices& notices) {
  Loop loop;
  loop.session = &session;
  g_loop = &loop;
  g_session.store(&session);
  struct sigaction old_int {
  }, old_winch{};
  install_signals(&old_int, &old_winch);
  rl_catch_signals = 0;  // SIGINT and SIGWINCH come through the signal pipe
  rl_readline_name = "hotmod";
  rl_attempted_completion_function = on_complete;
  open_history();
  rl_callback_handler_install(kPrompt, on_line);

  while (!loop.quit) {
    pollfd fds[3] = {
        {STDIN_FILENO, POLLIN, 0}, {notices.wake_fd(), POLLIN, 0}, {g_signal_pipe[0], POLLIN, 0}};
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if ((fds[2].revents & POLLIN) != 0) {
      char signals[16];
      const ssize_t n = ::read(g_signal_pipe[0], signals, sizeof signals);
      for (ssize_t i = 0; i < n; ++i)
        if (signals[i] == SIGINT)
          on_interrupt();
        else
          rl_resize_terminal();
    }
    if ((fds[1].revents & POLLIN) != 0)
      if (std::vector<std::string> lines = notices.take(); !lines.empty())
        print_above_prompt(lines);
    if ((fds[0].revents & (POLLIN | POLLHUP)) != 0) {
      rl_callback_read_char();
      if (loop.line_done && !loop.quit) rearm();
    }
  }
  rl_callback_handler_remove();
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGWINCH, &old_winch, nullptr);
  g_session.store(nullptr);
  for (int& fd : g_signal_pipe) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  g_loop = nullptr;
  return 0;
}

}  // namespace hotmod::cli
