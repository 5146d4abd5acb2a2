// CompileDatabase and find_compile_database on handcrafted
// compile_commands.json files and folder trees.
#include "compile/compile_db.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "files.hpp"
#include "temp_dir_common.hpp"

namespace hotmod::compile {
namespace {

namespace fs = std::filesystem;
using hotmod_test::write_file;
using Args = std::vector<std::string>;

class CompileDb : public ::testing::Test {
 protected:
  CompileDatabase load(std::string_view json) {
    write_file(dir_ / "compile_commands.json", json);
    auto db = CompileDatabase::load(dir_ / "compile_commands.json");
    EXPECT_TRUE(db.ok()) << (db.ok() ? "" : db.error().message);
    return db.ok() ? std::move(db).value() : CompileDatabase{};
  }
  std::string error_of(std::string_view json) {
    write_file(dir_ / "compile_commands.json", json);
    auto db = CompileDatabase::load(dir_ / "compile_commands.json");
    EXPECT_FALSE(db.ok());
    if (db.ok()) return "";
    EXPECT_EQ(db.error().stage, hotmod::Stage::build);
    return db.error().message;
  }
  std::string db_path() const { return (dir_ / "compile_commands.json").string(); }

  hotmod_test::TempDir dir_{"hotmod-compile-db"};
};

TEST(SplitCommandLine, ShellRules) {
  const std::vector<std::pair<std::string, Args>> cases = {
      {"c++ -c a.cpp", {"c++", "-c", "a.cpp"}},
      {"  c++\t-c   a.cpp  ", {"c++", "-c", "a.cpp"}},
      {"c++ -I'my dir' -DX=\"a b\"", {"c++", "-Imy dir", "-DX=a b"}},
      {"c++ -DS=\\\"text\\\"", {"c++", "-DS=\"text\""}},
      {"c++ -DS=\"\\\"q\\\" \\n\"", {"c++", "-DS=\"q\" \\n"}},
      {"c++ -I my\\ dir", {"c++", "-I", "my dir"}},
      {"c++ '' x", {"c++", "", "x"}},
      {"c++ 'a'\"b\"c", {"c++", "abc"}},
      {"c++ 'unterminated", {"c++", "unterminated"}},
      {"", {}},
  };
  for (const auto& [command, want] : cases) EXPECT_EQ(split_command_line(command), want) << command;
}

TEST(ProjectFlags, KeepsWhatMattersMadeAbsolute) {
  const Args args = {"/usr/bin/c++", "-Iinc",   "-I",  "../other",   "-isystem", "sys",
                     "-isystem/abs", "-iquote", "q",   "-idirafter", "late",     "-DA=1",
                     "-D",           "B",       "-UC", "-U",         "D",        "-std=gnu++17",
                     "-include",     "pre.h",   "-O2", "-Wall",      "-o",       "x.o",
                     "-c",           "x.cpp",   "-MD", "-MF",        "x.d",      "-fPIC"};
  EXPECT_EQ(project_flags(args, "/proj/build"),
            (Args{"-I/proj/build/inc", "-I/proj/other", "-isystem", "/proj/build/sys", "-isystem",
                  "/abs", "-iquote", "/proj/build/q", "-idirafter", "/proj/build/late", "-DA=1",
                  "-DB", "-UC", "-UD", "-std=gnu++17", "-include", "/proj/build/pre.h"}));
}

TEST(ProjectFlags, LookalikesAreNotOurs) {
  EXPECT_EQ(project_flags({"c++", "-include-pch", "x.pch", "-imacros", "m.h", "-isysroot", "/s",
                           "-Wundef", "-I"},
                          "/p"),
            Args{});
}

TEST_F(CompileDb, ArgumentsArrayExactFile) {
  const auto db = load(R"([
    {"directory": "/proj/build", "file": "/proj/src/a.cpp",
     "arguments": ["c++", "-I../inc", "-DA", "-std=c++20", "-c", "/proj/src/a.cpp"]},
    {"directory": "/proj/build", "file": "../src/b.cpp",
     "arguments": ["c++", "-I../other", "-c", "../src/b.cpp"]}
  ])");
  EXPECT_EQ(db.size(), 2u);
  EXPECT_EQ(db.path(), dir_ / "compile_commands.json");
  EXPECT_EQ(db.flags_for("/proj/src/a.cpp"), (Args{"-I/proj/inc", "-DA", "-std=c++20"}));
  // The entry's relative "file" and a denormalised query still meet.
  EXPECT_EQ(db.flags_for("/proj/src/./x/../b.cpp"), (Args{"-I/proj/other"}));
}

TEST_F(CompileDb, CommandString) {
  const auto db = load(R"([
    {"directory": "/proj", "file": "a.cpp",
     "command": "/usr/bin/g++ -I 'include dir' -DNAME=\"\\\"x y\\\"\" -std=c++17 -o a.o -c a.cpp"}
  ])");
  EXPECT_EQ(db.flags_for("/proj/a.cpp"),
            (Args{"-I/proj/include dir", "-DNAME=\"x y\"", "-std=c++17"}));
}

TEST_F(CompileDb, NearestEntryByFolder) {
  const auto db = load(R"([
    {"directory": "/p", "file": "/p/other/z.cpp", "arguments": ["c++", "-DOTHER"]},
    {"directory": "/p", "file": "/p/src/physics/a.cpp", "arguments": ["c++", "-DPHYSICS"]},
    {"directory": "/p", "file": "/p/src/b.cpp", "arguments": ["c++", "-DSRC"]}
  ])");
  EXPECT_EQ(db.flags_for("/p/src/physics/new.cpp"), Args{"-DPHYSICS"});
  EXPECT_EQ(db.flags_for("/p/src/physics/deeper/new.cpp"), Args{"-DPHYSICS"});
  EXPECT_EQ(db.flags_for("/p/src/new.cpp"), Args{"-DPHYSICS"});  // tie: first in the file
  EXPECT_EQ(db.flags_for("/p/other/new.cpp"), Args{"-DOTHER"});
  EXPECT_EQ(db.flags_for("/elsewhere/x.cpp"), Args{"-DOTHER"});
}

TEST_F(CompileDb, TiesGoToTheSameExtension) {
  const auto db = load(R"([
    {"directory": "/p", "file": "/p/src/a.c", "arguments": ["cc", "-DC"]},
    {"directory": "/p", "file": "/p/src/b.cpp", "arguments": ["c++", "-DCPP"]},
    {"directory": "/p", "file": "/p/src/c.cpp", "arguments": ["c++", "-DCPP2"]}
  ])");
  EXPECT_EQ(db.flags_for("/p/src/new.cpp"), Args{"-DCPP"});
  EXPECT_EQ(db.flags_for("/p/src/new.c"), Args{"-DC"});
  EXPECT_EQ(db.flags_for("/p/src/new.cc"), Args{"-DC"});
}

TEST_F(CompileDb, RelativeSourceIsTakenAgainstTheCurrentFolder) {
  const auto db = load(R"([
    {"directory": "/p", "file": "/p/a.cpp", "arguments": ["c++", "-DFAR"]},
    {"directory": "/", "file": ")" +
                       (fs::current_path() / "here.cpp").string() +
                       R"(", "arguments": ["c++", "-DHERE"]}
  ])");
  EXPECT_EQ(db.flags_for("here.cpp"), Args{"-DHERE"});
}

TEST_F(CompileDb, EmptyDatabaseHasNoFlags) {
  const auto db = load("[]");
  EXPECT_EQ(db.size(), 0u);
  EXPECT_FALSE(db.flags_for("/p/a.cpp").has_value());
}

TEST_F(CompileDb, MissingFileIsNamed) {
  auto db = CompileDatabase::load(dir_ / "nope.json");
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.error().message.find((dir_ / "nope.json").string()), std::string::npos);
  EXPECT_NE(db.error().message.find("CMAKE_EXPORT_COMPILE_COMMANDS"), std::string::npos);
}

TEST_F(CompileDb, MalformedJsonGivesLineAndColumn) {
  const std::string error = error_of("[\n  {\"file\": \"a.cpp\",,}\n]\n");
  EXPECT_EQ(error.rfind(db_path() + ":2:20: not valid JSON", 0), 0u) << error;
}

TEST_F(CompileDb, WrongShapesAreNamed) {
  EXPECT_NE(error_of("{}").find("expected a JSON array"), std::string::npos);
  const std::string no_dir = error_of(R"([{"file": "a.cpp", "arguments": ["c++"]}])");
  EXPECT_NE(no_dir.find("entry 1 of 1"), std::string::npos) << no_dir;
  EXPECT_NE(no_dir.find("\"directory\""), std::string::npos) << no_dir;
  const std::string no_args = error_of(R"([{"file": "a.cpp", "directory": "/"}])");
  EXPECT_NE(no_args.find("neither an \"arguments\" array nor a \"command\""), std::string::npos)
      << no_args;
  const std::string bad_arg =
      error_of(R"([{"file": "a.cpp", "directory": "/", "arguments": ["c++", 3]}])");
  EXPECT_NE(bad_arg.find("not a string: 3"), std::string::npos) << bad_arg;
}

class FindCompileDb : public ::testing::Test {
 protected:
  fs::path touch(const fs::path& rel) {
    write_file(dir_ / rel, "[]");
    return dir_ / rel;
  }
  hotmod_test::TempDir dir_{"hotmod-find-db"};
};

TEST_F(FindCompileDb, StartFolderFirstThenBuild) {
  fs::create_directories(dir_ / ".git");
  touch("build/compile_commands.json");
  EXPECT_EQ(find_compile_database(dir_.path()), dir_ / "build/compile_commands.json");
  touch("compile_commands.json");
  EXPECT_EQ(find_compile_database(dir_.path()), dir_ / "compile_commands.json");
}

TEST_F(FindCompileDb, NewestPresetFolderWins) {
  fs::create_directories(dir_ / ".git");
  const fs::path older = touch("build/dev/compile_commands.json");
  const fs::path newer = touch("build/asan/compile_commands.json");
  fs::last_write_time(older, fs::file_time_type::clock::now() - std::chrono::hours(1));
  EXPECT_EQ(find_compile_database(dir_.path()), newer);
  fs::last_write_time(older, fs::file_time_type::clock::now() + std::chrono::hours(1));
  EXPECT_EQ(find_compile_database(dir_.path()), older);
}

TEST_F(FindCompileDb, WalksUpFromAFileOrFolder) {
  write_file(dir_ / "hotmod.json", "{}");
  fs::create_directories(dir_ / "src/physics");
  write_file(dir_ / "src/physics/a.cpp", "");
  const fs::path db = touch("build/dev/compile_commands.json");
  EXPECT_EQ(find_compile_database(dir_ / "src/physics"), db);
  EXPECT_EQ(find_compile_database(dir_ / "src/physics/a.cpp"), db);
  EXPECT_EQ(find_compile_database(dir_ / "src/physics/"), db);
}

TEST_F(FindCompileDb, NearerFolderWins) {
  fs::create_directories(dir_ / ".git");
  touch("compile_commands.json");
  const fs::path inner = touch("sub/build/compile_commands.json");
  EXPECT_EQ(find_compile_database(dir_ / "sub"), inner);
}

TEST_F(FindCompileDb, StopsAtTheProjectRoot) {
  touch("compile_commands.json");  // outside the project: not ours
  fs::create_directories(dir_ / "project/.git");
  fs::create_directories(dir_ / "project/src");
  EXPECT_FALSE(find_compile_database(dir_ / "project/src").has_value());
  fs::remove_all(dir_ / "project/.git");
  EXPECT_EQ(find_compile_database(dir_ / "project/src"), dir_ / "compile_commands.json");
}

}  // namespace
}  // namespace hotmod::compile
