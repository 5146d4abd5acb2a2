// parse_diagnostics on what the installed g++ and clang++ (and, behind
// them, GNU ld, mold and lld) really print for broken sources, with and
// without colour.
#include <gtest/gtest.h>

#include <fstream>
#include <tuple>

#include "compile/diagnostics.hpp"
#include "process/run.hpp"
#include "temp_dir_common.hpp"

namespace hotmod::compile {
namespace {

namespace fs = std::filesystem;
using hotmod::CompilerMessage;

class RealDiagnostics : public ::testing::TestWithParam<std::tuple<std::string, bool>> {
 protected:
  void SetUp() override {
    write("bad.h", "#pragma once\nint h() { return 1 }\n");
    write("includes_bad.cpp", "#include \"bad.h\"\nint k() { return h(); }\n");
    write("syntax.cpp", "int f() { return 1; }\nint main() { int x; return 0 }\n");
    write("unused.cpp", "int f() { int unused = 1; return 0; }\n");
    write("undefined.cpp", "int g();\nint f() { return g(); }\n");
  }

  void write(const std::string& name, std::string_view text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }

  // The messages of a command that must fail (or, with `want_ok`, pass).
  // Linkers print no colour, whatever the flag says.
  std::vector<CompilerMessage> run(const std::string& flags, bool want_ok = false,
                                   bool coloured_output = true) {
    const auto [compiler, colour] = GetParam();
    const std::string command =
        compiler + " " + flags +
        (colour ? " -fdiagnostics-color=always" : " -fdiagnostics-color=never");
    const process::Outcome r = process::run(process::shell(command, dir_.path()));
    if (!r.started || r.exit_code == 127) {
      missing_ = true;
      return {};
    }
    EXPECT_EQ(r.ok(), want_ok) << command << "\n" << r.output;
    if (colour && coloured_output) {
      EXPECT_NE(r.output.find('\x1b'), std::string::npos) << "no colour in:\n" << r.output;
    }
    output_ = r.output;
    return parse_diagnostics(r.output);
  }

  hotmod_test::TempDir dir_{"hotmod-diag"};
  std::string output_;
  bool missing_ = false;
};

const CompilerMessage* first_with(const std::vector<CompilerMessage>& ms,
                                  std::string_view severity) {
  for (const auto& m : ms) {
    if (m.severity == severity) return &m;
  }
  return nullptr;
}

TEST_P(RealDiagnostics, SyntaxError) {
  const auto ms = run("-c syntax.cpp -o syntax.o");
  if (missing_) FAIL() << "compiler not installed; run scripts/setup";
  const CompilerMessage* e = first_with(ms, "error");
  ASSERT_NE(e, nullptr) << output_;
  EXPECT_EQ(e->file, "syntax.cpp");
  EXPECT_EQ(e->line, 2);
  EXPECT_EQ(e->column, 29);
  EXPECT_NE(e->message.find("expected"), std::string::npos) << e->message;
  EXPECT_EQ(count(ms).errors, 1) << output_;
}

TEST_P(RealDiagnostics, ErrorInsideAnIncludedHeader) {
  const auto ms = run("-c includes_bad.cpp -o includes_bad.o");
  if (missing_) FAIL() << "compiler not installed; run scripts/setup";
  const CompilerMessage* e = first_with(ms, "error");
  ASSERT_NE(e, nullptr) << output_;
  // clang says "./bad.h", gcc "bad.h".
  EXPECT_EQ(fs::path(e->file).lexically_normal(), "bad.h");
  EXPECT_EQ(e->line, 2);
  EXPECT_EQ(e->column, 19);
}

TEST_P(RealDiagnostics, WarningWithWall) {
  const auto ms = run("-Wall -c unused.cpp -o unused.o", /*want_ok=*/true);
  if (missing_) FAIL() << "compiler not installed; run scripts/setup";
  ASSERT_EQ(ms.size(), 1u) << output_;
  EXPECT_EQ(ms[0].file, "unused.cpp");
  EXPECT_EQ(ms[0].line, 1);
  EXPECT_EQ(ms[0].column, 15);
  EXPECT_EQ(ms[0].severity, "warning");
  EXPECT_NE(ms[0].message.find("unused"), std::string::npos);
  EXPECT_EQ(count(ms).warnings, 1);
  EXPECT_EQ(count(ms).errors, 0);
}

TEST_P(RealDiagnostics, MissingSource) {
  const auto ms = run("-c no_such_file.cpp -o x.o");
  if (missing_) FAIL() << "compiler not installed; run scripts/setup";
  ASSERT_FALSE(ms.empty()) << output_;
  EXPECT_EQ(ms[0].file, "");
  EXPECT_TRUE(ms[0].severity == "error" || ms[0].severity == "fatal error") << ms[0].severity;
  EXPECT_NE(ms[0].message.find("no_such_file.cpp"), std::string::npos) << ms[0].message;
}

TEST_P(RealDiagnostics, UndefinedReferenceWithEachLinker) {
  for (const char* linker : {"", "-fuse-ld=mold", "-fuse-ld=lld"}) {
    SCOPED_TRACE(linker[0] ? linker : "default linker");
    const auto ms = run(std::string("-shared -fPIC -Wl,--no-undefined ") + linker +
                            " undefined.cpp -o undefined.so",
                        /*want_ok=*/false, /*coloured_output=*/false);
    if (missing_) FAIL() << "compiler not installed; run scripts/setup";
    ASSERT_FALSE(ms.empty()) << output_;
    EXPECT_EQ(ms[0].severity, "error");
    EXPECT_EQ(ms[0].file, "");
    EXPECT_NE(ms[0].message.find("undefined"), std::string::npos) << ms[0].message;
    EXPECT_NE(ms[0].message.find("g()"), std::string::npos) << ms[0].message;
    if (linker[0] != '\0') {
      EXPECT_EQ(ms[0].message, "undefined symbol: g()");
    }
    // The driver's closing line ("collect2: error: ld returned 1 exit status",
    // "clang: error: linker command failed ...") is the last error.
    EXPECT_EQ(ms.back().severity, "error");
    EXPECT_EQ(count(ms).errors, 2) << output_;
    EXPECT_EQ(summarize(ms).rfind("2 errors; first: error: ", 0), 0u) << summarize(ms);
  }
}

INSTANTIATE_TEST_SUITE_P(Compilers, RealDiagnostics,
                         ::testing::Combine(::testing::Values(std::string("g++"),
                                                              std::string("clang++")),
                                            ::testing::Bool()),
                         [](const auto& p) {
                           std::string name = std::get<0>(p.param);
                           for (char& c : name) {
                             if (c == '+') c = 'x';
                           }
                           return name + (std::get<1>(p.param) ? "_colour" : "_plain");
                         });

}  // namespace
}  // namespace hotmod::compile
