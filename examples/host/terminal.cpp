#include "terminal.hpp"

#include <csignal>
#include <cstdio>

#include <unistd.h>

namespace host {
namespace {

volatile std::sig_atomic_t g_stop = 0;

extern "C" void on_stop_signal(int /*signal*/) {
  g_stop = 1;
}

constexpr std::size_t kMaxColumns = 100;

// Cuts `text` to `max` code points without splitting one.
std::string_view cut(std::string_view text, std::size_t max) {
  std::size_t points = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (points++ == max) return text.substr(0, i);
  }
  return text;
}

}  // namespace

Terminal::Terminal(bool interactive, bool color)
    : interactive_(interactive), color_(interactive && color) {
  // Alternate screen, hidden cursor, cleared: the shell's scrollback is left alone.
  if (interactive_) write("\x1b[?1049h\x1b[?25l\x1b[2J");
}

Terminal::~Terminal() {
  if (interactive_) write("\x1b[0m\x1b[?25h\x1b[?1049l");
}

void Terminal::begin_frame(std::string& out, std::uint64_t frame) const {
  if (interactive_)
    out += "\x1b[H";
  else
    out += "--- frame " + std::to_string(frame) + " ---\n";
}

void Terminal::line(std::string& out, std::string_view text, int color) const {
  const bool paint = color_ && color >= 0;
  if (paint) out += "\x1b[38;5;" + std::to_string(color) + "m";
  out += cut(text, kMaxColumns);
  if (paint) out += "\x1b[0m";
  if (interactive_) out += "\x1b[K";
  out += '\n';
}

void Terminal::end_frame(std::string& out) const {
  if (interactive_) out += "\x1b[J";
}

void Terminal::write(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

bool stdout_is_terminal() {
  return ::isatty(STDOUT_FILENO) == 1;
}

void install_stop_handlers() {
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
}

bool stop_requested() {
  return g_stop != 0;
}

}  // namespace host
