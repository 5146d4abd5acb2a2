// The REPL on a terminal: libedit line editing through its readline-
// compatible callback interface, so that the loop can poll() stdin, the
// notice pipe and a signal pipe at once. A notice (a background reload) is
// printed on its own line above the prompt, which is then redrawn with the
// half-typed line as it was: typing is never blocked.
#pragma once

#include "cli/repl_notices.hpp"
#include "cli/repl_session.hpp"

namespace hotmod::cli {

// Until .quit or Ctrl-D; Ctrl-C drops the line being typed, or stops the
// Lua chunk running (`while true do end`), whose error is then reported. History is read
// from and written to history_path() (a failure to write it is said once).
// Exit code 0.
int run_terminal_loop(Session& session, Notices& notices);

}  // namespace hotmod::cli
