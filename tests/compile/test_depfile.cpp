// parse_depfile on what gcc and clang write, and on the real compiler's
// output for a header in a folder whose name has a space.
#include "compile/depfile.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "files.hpp"
#include "process/run.hpp"
#include "temp_dir_common.hpp"

namespace hotmod::compile {
namespace {

namespace fs = std::filesystem;
using hotmod_test::write_file;
using Paths = std::vector<fs::path>;

Paths parse(std::string_view text, const fs::path& base = "/base") {
  std::string error;
  auto deps = parse_depfile(text, base, &error);
  EXPECT_TRUE(deps.has_value()) << error;
  return deps.value_or(Paths{});
}

TEST(Depfile, OneTargetOnOneLine) {
  EXPECT_EQ(parse("a.o: /src/a.cpp /src/a.h\n"), (Paths{"/src/a.cpp", "/src/a.h"}));
}

TEST(Depfile, ContinuationsJoinLines) {
  EXPECT_EQ(parse("a.o: /src/a.cpp \\\n  /src/a.h \\\n  /src/b.h\n"),
            (Paths{"/src/a.cpp", "/src/a.h", "/src/b.h"}));
}

TEST(Depfile, CrlfLineEnds) {
  EXPECT_EQ(parse("a.o: /src/a.cpp \\\r\n /src/a.h\r\n/src/a.h:\r\n"),
            (Paths{"/src/a.cpp", "/src/a.h"}));
}

TEST(Depfile, EscapedSpaceIsPartOfThePath) {
  EXPECT_EQ(parse("a.o: /my\\ src/a.cpp /my\\ src/a\\ b.h\n"),
            (Paths{"/my src/a.cpp", "/my src/a b.h"}));
}

TEST(Depfile, EvenBackslashesBeforeSpaceEndThePath) {
  EXPECT_EQ(parse("a.o: /x\\\\ /y\n"), (Paths{"/x\\", "/y"}));
}

TEST(Depfile, DollarAndHashEscapes) {
  EXPECT_EQ(parse("a.o: /src/$$HOME/a.h /src/\\#1.h\n"), (Paths{"/src/$HOME/a.h", "/src/#1.h"}));
}

TEST(Depfile, OtherBackslashesAreKept) {
  EXPECT_EQ(parse("a.o: /src/a\\b.h\n"), (Paths{"/src/a\\b.h"}));
}

TEST(Depfile, SeveralTargetsAreNotPrerequisites) {
  EXPECT_EQ(parse("a.o b.o: /src/a.cpp\n"), (Paths{"/src/a.cpp"}));
}

TEST(Depfile, TargetWithSpaceBeforeColon) {
  EXPECT_EQ(parse("a.o : /src/a.cpp\n"), (Paths{"/src/a.cpp"}));
}

TEST(Depfile, PhonyTargetsOfMpAreSkipped) {
  const std::string text =
      "a.o: /src/a.cpp /src/a.h /src/b.h\n"
      "\n"
      "/src/a.h:\n"
      "\n"
      "/src/b.h:\n";
  EXPECT_EQ(parse(text), (Paths{"/src/a.cpp", "/src/a.h", "/src/b.h"}));
}

TEST(Depfile, DuplicatesDroppedOrderKept) {
  EXPECT_EQ(parse("a.o: /z.h /a.h /z.h\nb.o: /a.h /m.h\n"), (Paths{"/z.h", "/a.h", "/m.h"}));
}

TEST(Depfile, RelativePathsAreMadeAbsoluteAndNormalised) {
  EXPECT_EQ(parse("a.o: a.cpp ../inc/./a.h sub/../b.h\n", "/proj/build"),
            (Paths{"/proj/build/a.cpp", "/proj/inc/a.h", "/proj/build/b.h"}));
}

TEST(Depfile, DuplicatesAreFoundAfterNormalising) {
  EXPECT_EQ(parse("a.o: a.h ./a.h /base/x/../a.h\n"), (Paths{"/base/a.h"}));
}

TEST(Depfile, ColonInsideAPathIsKept) {
  EXPECT_EQ(parse("a.o: /src/a:b.h\n"), (Paths{"/src/a:b.h"}));
}

TEST(Depfile, EmptyTextHasNoPrerequisites) {
  EXPECT_EQ(parse(""), Paths{});
  EXPECT_EQ(parse("\n\n"), Paths{});
}

TEST(Depfile, NoTrailingNewline) {
  EXPECT_EQ(parse("a.o: /a.h"), (Paths{"/a.h"}));
}

TEST(Depfile, TextWithoutColonIsRefusedWithItsLine) {
  std::string error;
  EXPECT_FALSE(parse_depfile("a.o: /a.h\nnot a depfile\n", "/", &error));
  EXPECT_NE(error.find("line 2"), std::string::npos) << error;
  EXPECT_NE(error.find("-MD -MF"), std::string::npos) << error;
  EXPECT_FALSE(parse_depfile("junk", "/", nullptr));
}

TEST(Depfile, ReadNamesAMissingFile) {
  hotmod_test::TempDir dir("hotmod-depfile");
  std::string error;
  EXPECT_FALSE(read_depfile(dir / "gone.d", dir.path(), &error));
  EXPECT_NE(error.find((dir / "gone.d").string()), std::string::npos) << error;
}

TEST(Depfile, ReadNamesTheFileOfABadDepfile) {
  hotmod_test::TempDir dir("hotmod-depfile");
  write_file(dir / "bad.d", "nonsense\n");
  std::string error;
  EXPECT_FALSE(read_depfile(dir / "bad.d", dir.path(), &error));
  EXPECT_EQ(error.rfind((dir / "bad.d").string() + ": line 1", 0), 0u) << error;
}

// The compilers are the authority on the format: whatever they write for a
// header in a folder with a space and a '#' in its name must come back.
class RealDepfile : public ::testing::TestWithParam<const char*> {};

TEST_P(RealDepfile, ListsTheHeaderInAFolderWithASpace) {
  hotmod_test::TempDir dir("hotmod-depfile");
  const fs::path include_dir = dir / "my headers #1";
  write_file(include_dir / "shape.h", "#pragma once\ninline int side() { return 4; }\n");
  write_file(dir / "main.cpp", "#include \"shape.h\"\nint area() { return side() * side(); }\n");
  const std::string command =
      std::string(GetParam()) + " -MD -MP -MF main.d -c main.cpp -o main.o -I 'my headers #1'";
  const process::Outcome run = process::run(process::shell(command, dir.path()));
  if (!run.started || run.exit_code == 127)
    FAIL() << GetParam() << " is not installed; run scripts/setup";
  ASSERT_TRUE(run.ok()) << command << ": " << run.describe() << "\n" << run.output;

  std::string error;
  const auto deps = read_depfile(dir / "main.d", dir.path(), &error);
  ASSERT_TRUE(deps) << error;
  ASSERT_FALSE(deps->empty());
  EXPECT_EQ(deps->front(), dir / "main.cpp");
  // gcc also lists the predefined-macros header it reads first.
  EXPECT_NE(std::find(deps->begin(), deps->end(), include_dir / "shape.h"), deps->end())
      << deps->back();
  EXPECT_EQ(std::count(deps->begin(), deps->end(), include_dir / "shape.h"), 1);
}

INSTANTIATE_TEST_SUITE_P(Compilers, RealDepfile, ::testing::Values("c++", "g++", "clang++"),
                         [](const auto& p) {
                           std::string name = p.param;
                           for (char& c : name) {
                             if (c == '+') c = 'x';
                           }
                           return name;
                         });

}  // namespace
}  // namespace hotmod::compile
