// CompileDatabase on the compile_commands.json CMake really writes, and the
// flags it returns really compiling a new file the way the project would.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "compile/compile_db.hpp"
#include "files.hpp"
#include "process/run.hpp"
#include "temp_dir_common.hpp"

namespace hotmod::compile {
namespace {

namespace fs = std::filesystem;
using hotmod_test::write_file;

std::string quoted(const std::string& arg) {
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

class CMakeDatabase : public ::testing::Test {
 protected:
  void SetUp() override {
    write_file(dir_ / "project/CMakeLists.txt",
               "cmake_minimum_required(VERSION 3.16)\n"
               "project(tiny CXX)\n"
               "add_library(tiny STATIC src/physics/a.cpp)\n"
               "target_include_directories(tiny PRIVATE \"include dir\")\n"
               "target_include_directories(tiny SYSTEM PRIVATE sys)\n"
               "target_compile_definitions(tiny PRIVATE TINY_ON GREETING=\"hi there\")\n"
               "set_target_properties(tiny PROPERTIES CXX_STANDARD 17 CXX_STANDARD_REQUIRED ON)\n");
    write_file(dir_ / "project/include dir/tiny.h",
               "#pragma once\ninline int tiny() { return 1; }\n");
    write_file(dir_ / "project/sys/sys.h", "#pragma once\ninline int sys() { return 2; }\n");
    write_file(dir_ / "project/src/physics/a.cpp",
               "#include \"tiny.h\"\nint a() { return tiny(); }\n");
    const std::string configure =
        "cmake -S project -B project/build/dev -G Ninja "
        "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON";
    const process::Outcome r = process::run(process::shell(configure, dir_.path()));
    if (!r.started || r.exit_code == 127) FAIL() << "cmake is not installed; run scripts/setup";
    ASSERT_TRUE(r.ok()) << configure << ": " << r.describe() << "\n" << r.output;
  }

  hotmod_test::TempDir dir_{"hotmod-cmake-db"};
};

TEST_F(CMakeDatabase, FoundFromTheSourceFolder) {
  fs::create_directories(dir_ / "project/.git");
  EXPECT_EQ(find_compile_database(dir_ / "project/src/physics"),
            dir_ / "project/build/dev/compile_commands.json");
}

TEST_F(CMakeDatabase, FlagsOfTheProjectsOwnFile) {
  auto db = CompileDatabase::load(dir_ / "project/build/dev/compile_commands.json");
  ASSERT_TRUE(db.ok()) << db.error().message;
  EXPECT_EQ(db->size(), 1u);
  const auto flags = db->flags_for(dir_ / "project/src/physics/a.cpp");
  ASSERT_TRUE(flags);
  std::string all;
  for (const auto& f : *flags) all += f + " ";
  EXPECT_TRUE(contains(*flags, "-I" + (dir_ / "project/include dir").string())) << all;
  EXPECT_TRUE(contains(*flags, "-isystem")) << all;
  EXPECT_TRUE(contains(*flags, (dir_ / "project/sys").string())) << all;
  EXPECT_TRUE(contains(*flags, "-DTINY_ON")) << all;
  EXPECT_TRUE(contains(*flags, "-DGREETING=\"hi there\"")) << all;
  EXPECT_TRUE(contains(*flags, "-std=gnu++17")) << all;
}

TEST_F(CMakeDatabase, ANewFileCompilesLikeItsNeighbour) {
  auto db = CompileDatabase::load(dir_ / "project/build/dev/compile_commands.json");
  ASSERT_TRUE(db.ok()) << db.error().message;
  const fs::path source = dir_ / "project/src/physics/new_module.cpp";
  write_file(source,
             "#include \"tiny.h\"\n#include <sys.h>\n#include <cstring>\n"
             "static_assert(__cplusplus == 201703L, \"C++17 expected\");\n"
             "#ifndef TINY_ON\n#error TINY_ON missing\n#endif\n"
             "int n() { return tiny() + sys() + static_cast<int>(std::strlen(GREETING)); }\n");
  const auto flags = db->flags_for(source);
  ASSERT_TRUE(flags);
  std::string command = "c++ -fsyntax-only";
  for (const auto& f : *flags) command += " " + quoted(f);
  command += " " + quoted(source.string());
  // Compiled from elsewhere: every path in the flags must be absolute.
  const process::Outcome r = process::run(process::shell(command, "/"));
  EXPECT_TRUE(r.ok()) << command << "\n" << r.output;
}

}  // namespace
}  // namespace hotmod::compile
