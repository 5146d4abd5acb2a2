// The REPL reading a pipe or a file (stdin not a terminal): one line at a
// time, no prompt, no line editing; every result is flushed as it is
// written, and reload notices come out as lines between the results.
#pragma once

#include "cli/repl_notices.hpp"
#include "cli/repl_session.hpp"

namespace hotmod::cli {

// Feeds every line of `fd` to `session` until end of input or .quit. Exit
// code: 0 when every line worked, 1 when any failed (an error, a failed
// reload, a Lua chunk left unfinished at the end) — the session goes on
// after a failure either way.
int run_pipe_loop(Session& session, Notices& notices, int fd);

}  // namespace hotmod::cli
