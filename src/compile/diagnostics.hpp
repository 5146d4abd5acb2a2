// Turning a compile's or link's output into hotmod::CompilerMessage values,
// so a failed reload can say "physics.cpp:42:7: error: ..." and tools can
// jump to the place.
//
// Understood: gcc and clang "file:line:col: severity: message" and
// "file:line: severity: message"; messages of the tools themselves
// ("cc1plus: fatal error: x.cpp: No such file or directory", "clang: error:
// ...", "collect2: error: ld returned 1 exit status"); and linkers: GNU ld
// (whose errors carry no severity word: "x.cpp:(.text+0x5): undefined
// reference to `g()'"), mold and lld ("mold: error: undefined symbol: g()").
// A tool's or linker's message has an empty `file` and no line, and its
// `message` is the text after the tool's name and the severity, as printed
// (so "x.cpp: No such file or directory" keeps the file it is about).
// Context lines ("In file included from", "x.cpp: In function ...", source
// excerpts, "required from here", lld's ">>> referenced by") are not
// messages.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hotmod/reload_stats.hpp"

namespace hotmod::compile {

// `text` without SGR/CSI escape sequences (the compiler's colours) and OSC
// sequences (its links), so colour output parses like plain output.
std::string strip_ansi(std::string_view text);

// Every message in `output`, in order; escape sequences are stripped first.
std::vector<hotmod::CompilerMessage> parse_diagnostics(std::string_view output);

struct DiagnosticCounts {
  int errors = 0;  // "error" and "fatal error"
  int warnings = 0;
};

DiagnosticCounts count(const std::vector<hotmod::CompilerMessage>& messages);

// One line for an error message, e.g.
//   "2 errors, 1 warning; first: sorting.cpp:12:5: error: expected ';' before '}' token"
// "first" is the first error, or the first warning when there is none.
std::string summarize(const std::vector<hotmod::CompilerMessage>& messages);
// What to do about an error hotmod's own headers explain better than the
// compiler (hotmod::Value used where module.hpp only declares it); empty
// when none applies.
std::string hint(const std::vector<hotmod::CompilerMessage>& messages);

}  // namespace hotmod::compile
