// `hotmod` on a pseudo-terminal, for what only happens on a terminal: the
// prompt, line editing, notices drawn above the prompt, Ctrl-C, history.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "run_hotmod.hpp"

namespace hotmod_test {

class OnTerminal {
 public:
  // TERM=xterm and LANG=C.UTF-8 on top of RunOptions' clean environment.
  OnTerminal(const std::vector<std::string>& args, const RunOptions& options);
  ~OnTerminal();  // SIGKILL if it still runs
  OnTerminal(const OnTerminal&) = delete;
  OnTerminal& operator=(const OnTerminal&) = delete;

  // Keys as typed: "\r" is Enter, "\t" Tab, "\x03" Ctrl-C, "\x04" Ctrl-D.
  void type(std::string_view keys);
  // Reads what it shows until `text` appears after `from` (an offset into
  // screen()), or `timeout` passes. The offset just past it, or npos.
  std::size_t wait_for(std::string_view text, std::size_t from = 0,
                       std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Everything it wrote so far, escape codes included.
  const std::string& screen() const { return screen_; }
  // Its exit code after it ends by itself (-1: killed by a signal).
  int wait_exit(std::chrono::milliseconds timeout = std::chrono::seconds(30));

 private:
  void read_some(std::chrono::milliseconds timeout);

  pid_t pid_ = -1;
  int master_ = -1;
  std::string screen_;
};

}  // namespace hotmod_test
