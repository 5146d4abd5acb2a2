// terminal.hpp — the little the host needs from a terminal: redraw in place,
// colour on request, and leave the terminal as it was found, Ctrl-C included.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace host {

// xterm-256 colours the host uses for its own lines.
inline constexpr int kDim = 244;
inline constexpr int kInfo = 117;
inline constexpr int kWarn = 214;
inline constexpr int kBad = 203;

class Terminal {
 public:
  // interactive: stdout is a terminal, so frames redraw in place on the
  // alternate screen. Otherwise every frame is printed after the last one,
  // without a single escape code, for logs and pipes.
  Terminal(bool interactive, bool color);
  ~Terminal();  // shows the cursor again and leaves the alternate screen
  Terminal(const Terminal&) = delete;
  Terminal& operator=(const Terminal&) = delete;

  bool interactive() const { return interactive_; }
  bool color() const { return color_; }

  // Starts a frame: cursor home, or a separator line when not interactive.
  void begin_frame(std::string& out, std::uint64_t frame) const;
  // Appends one line of text in the given colour (-1: default), cut to 100
  // columns, and clears whatever the previous frame left to its right.
  void line(std::string& out, std::string_view text, int color = -1) const;
  // Ends a frame: clears lines the previous frame had below this one.
  void end_frame(std::string& out) const;

  static void write(std::string_view text);

 private:
  bool interactive_;
  bool color_;
};

bool stdout_is_terminal();

// SIGINT and SIGTERM set a flag instead of ending the process, so the frame
// loop can stop and Terminal's destructor can restore the cursor.
void install_stop_handlers();
bool stop_requested();

}  // namespace host
