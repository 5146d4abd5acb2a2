// What the command prints and how it ends: exit codes, "hotmod: error:"
// lines, and colour only where a person is watching (a terminal, NO_COLOR
// unset), so CI logs and pipes get plain text.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace hotmod::cli {

// Exit codes every subcommand shares.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // the work itself failed (a module did not build)
inline constexpr int kExitUsage = 2;   // the command line or the configuration is wrong

enum class Colour { none, red, green, yellow, bold };

// True when `stream` is a terminal, NO_COLOR is unset and TERM is not "dumb".
bool colour_for(std::FILE* stream);

// True when `stream` is a terminal whose locale speaks UTF-8 (LC_ALL, else
// LC_CTYPE, else LANG): box-drawing tables and marks like ⚠ are used only
// there, plain ASCII elsewhere.
bool unicode_for(std::FILE* stream);

// `text` wrapped in the escape codes for `colour`, when `on`.
std::string paint(std::string_view text, Colour colour, bool on);

// "hotmod: error: <message>" on stderr, one line per line of `message`.
void print_error(std::string_view message);

// A usage error: the message, and where to read about the command line.
int usage_error(std::string_view message);

}  // namespace hotmod::cli
