#include "cli/repl_pipe_loop.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>

#include "cli/terminal.hpp"

namespace hotmod::cli {
namespace {

void print_notices(Session& session, Notices& notices) {
  for (const std::string& line : notices.take()) session.print(line);
}

}  // namespace

int run_pipe_loop(Session& session, Notices& notices, int fd) {
  bool failed = false;
  std::string buffer;
  bool eof = false;
  while (!eof) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {notices.wake_fd(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if ((fds[1].revents & POLLIN) != 0) print_notices(session, notices);
    if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
    char chunk[4096];
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      eof = true;
      if (buffer.empty()) break;
      buffer += '\n';  // a last line without its newline
    } else {
      buffer.append(chunk, static_cast<std::size_t>(n));
    }
    std::size_t start = 0;
    for (std::size_t nl; (nl = buffer.find('\n', start)) != std::string::npos; start = nl + 1) {
      const Session::Fed fed = session.feed(std::string_view(buffer).substr(start, nl - start));
      failed = failed || fed == Session::Fed::failed;
      print_notices(session, notices);
      if (fed == Session::Fed::quit) return failed ? kExitFailed : kExitOk;
    }
    buffer.erase(0, start);
  }
  print_notices(session, notices);
  if (session.continuing()) {
    session.error("the input ended inside an unfinished Lua chunk (a missing `end`?)");
    failed = true;
  }
  return failed ? kExitFailed : kExitOk;
}

}  // namespace hotmod::cli
