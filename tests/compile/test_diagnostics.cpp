// parse_diagnostics, count and summarize on compiler and linker output as
// gcc 12, clang 14, GNU ld, mold and lld print it.
#include "compile/diagnostics.hpp"

#include <gtest/gtest.h>

namespace hotmod::compile {
namespace {

using hotmod::CompilerMessage;

// Compact, readable expectations: "file|line|col|severity|message".
std::string show(const CompilerMessage& m) {
  return m.file + "|" + std::to_string(m.line) + "|" + std::to_string(m.column) + "|" + m.severity +
         "|" + m.message;
}

std::vector<std::string> parsed(std::string_view output) {
  std::vector<std::string> out;
  for (const auto& m : parse_diagnostics(output)) out.push_back(show(m));
  return out;
}

using Lines = std::vector<std::string>;

TEST(StripAnsi, RemovesGccColours) {
  EXPECT_EQ(
      strip_ansi("\x1b[01m\x1b[Ks.cpp:2:29:\x1b[m\x1b[K \x1b[01;31m\x1b[Kerror: \x1b[m\x1b[Kx"),
      "s.cpp:2:29: error: x");
}

TEST(StripAnsi, RemovesClangColours) {
  EXPECT_EQ(strip_ansi("\x1b[1mw.cpp:1:14: \x1b[0m\x1b[0;1;35mwarning: \x1b[0m\x1b[1mx\x1b[0m"),
            "w.cpp:1:14: warning: x");
}

TEST(StripAnsi, RemovesLinksAndLeavesPlainTextAlone) {
  EXPECT_EQ(strip_ansi("see \x1b]8;;https://gcc.gnu.org/x\x1b\\-Wall\x1b]8;;\x1b\\ here"),
            "see -Wall here");
  EXPECT_EQ(strip_ansi("\x1b]8;;u\a[x]\x1b]8;;\a"), "[x]");
  EXPECT_EQ(strip_ansi("plain: text\n"), "plain: text\n");
  EXPECT_EQ(strip_ansi("cut \x1b["), "cut ");
}

TEST(ParseDiagnostics, GccErrorInAnIncludedHeader) {
  const char* out =
      "In file included from s.cpp:1:\n"
      "bad.h: In function \xe2\x80\x98int h()\xe2\x80\x99:\n"
      "bad.h:2:19: error: expected \xe2\x80\x98;\xe2\x80\x99 before \xe2\x80\x98}\xe2\x80\x99 "
      "token\n"
      "    2 | int h() { return 1 }\n"
      "      |                   ^~\n"
      "      |                   ;\n"
      "s.cpp: In function \xe2\x80\x98int main()\xe2\x80\x99:\n"
      "s.cpp:2:29: error: expected ';' before '}' token\n";
  EXPECT_EQ(parsed(out), (Lines{"bad.h|2|19|error|expected \xe2\x80\x98;\xe2\x80\x99 before "
                                "\xe2\x80\x98}\xe2\x80\x99 token",
                                "s.cpp|2|29|error|expected ';' before '}' token"}));
}

TEST(ParseDiagnostics, ClangErrorsWarningsAndNotes) {
  const char* out =
      "In file included from s.cpp:1:\n"
      "./bad.h:2:19: error: expected ';' after return statement\n"
      "int h() { return 1 }\n"
      "                  ^\n"
      "w.cpp:1:14: warning: unused variable 'unused' [-Wunused-variable]\n"
      "w.cpp:5:3: note: previous declaration is here\n"
      "2 errors generated.\n";
  EXPECT_EQ(parsed(out), (Lines{"./bad.h|2|19|error|expected ';' after return statement",
                                "w.cpp|1|14|warning|unused variable 'unused' [-Wunused-variable]",
                                "w.cpp|5|3|note|previous declaration is here"}));
}

TEST(ParseDiagnostics, LineWithoutColumn) {
  EXPECT_EQ(parsed("x.cpp:7: warning: ignoring #pragma foo\n"),
            (Lines{"x.cpp|7|0|warning|ignoring #pragma foo"}));
}

TEST(ParseDiagnostics, FatalErrorAndSorry) {
  EXPECT_EQ(parsed("a.cpp:1:10: fatal error: nope.h: No such file or directory\n"
                   "compilation terminated.\n"
                   "b.cpp:3:1: sorry, unimplemented: this\n"),
            (Lines{"a.cpp|1|10|fatal error|nope.h: No such file or directory",
                   "b.cpp|3|1|error|sorry, unimplemented: this"}));
}

TEST(ParseDiagnostics, PathsWithSpacesAndColons) {
  EXPECT_EQ(parsed("/tmp/my dir/a:b.cpp:4:2: error: boom\n"),
            (Lines{"/tmp/my dir/a:b.cpp|4|2|error|boom"}));
}

TEST(ParseDiagnostics, ContextLinesAreNotMessages) {
  EXPECT_EQ(parsed("In file included from a.h:1,\n"
                   "                 from s.cpp:1:\n"
                   "s.cpp: In instantiation of 'void f() [with T = int]':\n"
                   "s.cpp:9:5:   required from here\n"
                   "s.cpp: At global scope:\n"
                   "    3 | x: error: y\n"
                   "1 warning generated.\n"),
            Lines{});
}

TEST(ParseDiagnostics, CompilerProperAndDriverMessagesHaveNoFile) {
  EXPECT_EQ(
      parsed("cc1plus: fatal error: nofile.cpp: No such file or directory\n"
             "clang: error: no such file or directory: 'nofile.cpp'\n"
             "clang-14: error: no input files\n"
             "clang++: warning: argument unused during compilation: '-s'\n"
             "x86_64-linux-gnu-g++-12: error: unrecognized option '--x'\n"),
      (Lines{"|0|0|fatal error|nofile.cpp: No such file or directory",
             "|0|0|error|no such file or directory: 'nofile.cpp'", "|0|0|error|no input files",
             "|0|0|warning|argument unused during compilation: '-s'",
             "|0|0|error|unrecognized option '--x'"}));
}

TEST(ParseDiagnostics, GnuLdUndefinedReference) {
  EXPECT_EQ(parsed("/usr/bin/ld: /tmp/ccxguHNu.o: in function `f()':\n"
                   "u.cpp:(.text+0x5): undefined reference to `g()'\n"
                   "collect2: error: ld returned 1 exit status\n"),
            (Lines{"|0|0|error|u.cpp:(.text+0x5): undefined reference to `g()'",
                   "|0|0|error|ld returned 1 exit status"}));
}

TEST(ParseDiagnostics, GnuLdWithDebugInfoAndOtherErrors) {
  EXPECT_EQ(parsed("/usr/bin/ld: /tmp/x.o: in function `f()':\n"
                   "/tmp/dx/u.cpp:2: undefined reference to `g()'\n"
                   "/usr/bin/ld: cannot find -lnonexist: No such file or directory\n"
                   "/usr/bin/ld: warning: x.o: missing .note.GNU-stack section\n"
                   "/usr/bin/ld: b.o: multiple definition of `h()'; a.o: first defined here\n"),
            (Lines{"|0|0|error|/tmp/dx/u.cpp:2: undefined reference to `g()'",
                   "|0|0|error|cannot find -lnonexist: No such file or directory",
                   "|0|0|warning|x.o: missing .note.GNU-stack section",
                   "|0|0|error|b.o: multiple definition of `h()'; a.o: first defined here"}));
}

TEST(ParseDiagnostics, MoldAndLld) {
  EXPECT_EQ(parsed("mold: error: undefined symbol: g()\n"
                   ">>> referenced by u.cpp\n"
                   ">>>               /tmp/cctiTpp3.o:(f())\n"
                   "ld.lld: error: undefined symbol: g()\n"
                   ">>> did you mean: f()\n"
                   "clang: error: linker command failed with exit code 1 (use -v to see "
                   "invocation)\n"),
            (Lines{"|0|0|error|undefined symbol: g()", "|0|0|error|undefined symbol: g()",
                   "|0|0|error|linker command failed with exit code 1 (use -v to see "
                   "invocation)"}));
}

TEST(ParseDiagnostics, ColourAndCrlfParseLikePlainText) {
  EXPECT_EQ(parsed("\x1b[01m\x1b[Ks.cpp:2:29:\x1b[m\x1b[K \x1b[01;31m\x1b[Kerror: "
                   "\x1b[m\x1b[Kexpected\r\n"),
            (Lines{"s.cpp|2|29|error|expected"}));
}

TEST(ParseDiagnostics, EmptyOutput) {
  EXPECT_TRUE(parse_diagnostics("").empty());
  EXPECT_TRUE(parse_diagnostics("\n\n").empty());
}

std::vector<CompilerMessage> messages(std::initializer_list<const char*> severities) {
  std::vector<CompilerMessage> out;
  int line = 1;
  for (const char* s : severities) {
    out.push_back({"sorting.cpp", line, 5, s, std::string("m") + std::to_string(line)});
    ++line;
  }
  return out;
}

TEST(Count, ErrorsIncludeFatalErrorsNotesCountNothing) {
  const DiagnosticCounts c = count(messages({"warning", "error", "note", "fatal error"}));
  EXPECT_EQ(c.errors, 2);
  EXPECT_EQ(c.warnings, 1);
}

TEST(Summarize, NamesCountsAndTheFirstError) {
  auto ms = messages({"warning", "error", "note", "error"});
  ms[1].line = 12;
  ms[1].message = "expected ';' before '}' token";
  EXPECT_EQ(summarize(ms),
            "2 errors, 1 warning; first: sorting.cpp:12:5: error: expected ';' before '}' token");
}

TEST(Summarize, SingularAndNoWarnings) {
  EXPECT_EQ(summarize(messages({"error"})), "1 error; first: sorting.cpp:1:5: error: m1");
}

TEST(Summarize, WarningsOnlyNameTheFirstWarning) {
  EXPECT_EQ(summarize(messages({"note", "warning", "warning"})),
            "0 errors, 2 warnings; first: sorting.cpp:2:5: warning: m2");
}

TEST(Summarize, MessagesWithoutPlace) {
  std::vector<CompilerMessage> ms{{"", 0, 0, "error", "undefined symbol: g()"},
                                  {"x.cpp", 3, 0, "error", "e"}};
  EXPECT_EQ(summarize(ms), "2 errors; first: error: undefined symbol: g()");
  ms[0].file = "x.cpp";
  EXPECT_EQ(summarize(ms), "2 errors; first: x.cpp: error: undefined symbol: g()");
  EXPECT_EQ(summarize({ms[1]}), "1 error; first: x.cpp:3: error: e");
}

TEST(Summarize, Nothing) {
  EXPECT_EQ(summarize({}), "no errors or warnings");
  EXPECT_EQ(summarize(messages({"note"})), "no errors or warnings");
}

}  // namespace
}  // namespace hotmod::compile
