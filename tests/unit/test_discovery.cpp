// registry/discovery: the file-name rule for module names, the order modules
// are found in, and the warnings for duplicate names and bad module paths.
#include "registry/discovery.hpp"

#include <sys/stat.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "temp_dir.hpp"

namespace hotmod::registry {
namespace {

namespace fs = std::filesystem;
using hotmod_unit::TempDir;
using hotmod_unit::write_file;

std::vector<std::string> names(const DiscoveryResult& r) {
  std::vector<std::string> out;
  for (const Discovered& d : r.modules) out.push_back(d.name);
  return out;
}

TEST(Discovery, ModuleNameFollowsTheFileNameRule) {
  const fs::path root = "/m";
  EXPECT_EQ(module_name(root, "/m/physics.so"), "physics");
  EXPECT_EQ(module_name(root, "/m/libx.so"), "x");
  EXPECT_EQ(module_name(root, "/m/a/b.so"), "a.b");
  EXPECT_EQ(module_name(root, "/m/algorithms/libsort.so"), "algorithms.sort");
  EXPECT_EQ(module_name(root, "/m/a/b/c.so"), "a.b.c");
  EXPECT_EQ(module_name(root, "/m/lib.so"), "lib") << "nothing left to drop the prefix from";
}

TEST(Discovery, FilesThatAreNotModulesHaveNoName) {
  const fs::path root = "/m";
  EXPECT_EQ(module_name(root, "/m/libfoo.so.1"), "") << "versioned library names";
  EXPECT_EQ(module_name(root, "/m/.hidden.so"), "");
  EXPECT_EQ(module_name(root, "/m/.so"), "");
  EXPECT_EQ(module_name(root, "/m/so"), "");
  EXPECT_EQ(module_name(root, "/m/notes.txt"), "");
  EXPECT_EQ(module_name(root, "/m/x.SO"), "");
}

TEST(Discovery, FindsModulesInSortedOrderSkippingTheRest) {
  TempDir dir;
  for (const char* f : {"b.so", "libc.so", "a.so", "z/y.so", "a/b.so", "notes.txt", "libfoo.so.1",
                        ".hidden.so", ".git/x.so", "z/.cache/w.so"})
    write_file(dir / f, "");
  const DiscoveryResult r = discover({dir.path()});
  EXPECT_EQ(names(r), (std::vector<std::string>{"a.b", "a", "b", "c", "z.y"}));
  EXPECT_TRUE(r.warnings.empty());
  ASSERT_EQ(r.modules.size(), 5u);
  EXPECT_EQ(r.modules[0].path, dir / "a/b.so");
  EXPECT_EQ(r.modules[3].path, dir / "libc.so");
  for (const Discovered& d : r.modules) EXPECT_EQ(d.kind, ModuleKind::library);
}

TEST(Discovery, SymlinkedModuleFileIsFound) {
  TempDir dir;
  write_file(dir / "build/out.so", "");
  fs::create_directories(dir / "mods");
  fs::create_symlink(dir / "build/out.so", dir / "mods/linked.so");
  EXPECT_EQ(names(discover({dir / "mods"})), (std::vector<std::string>{"linked"}));
}

// A folder symlink pointing back up is followed again and again until the
// kernel's symlink limit stops it: 41 modules a, loop.a, loop.loop.a, ...
TEST(Discovery, SymlinkCycleIsWalkedOnce) {
  TempDir dir;
  write_file(dir / "a.so", "");
  fs::create_directory_symlink(".", dir / "loop");
  EXPECT_EQ(names(discover({dir.path()})), (std::vector<std::string>{"a"}));
}

TEST(Discovery, DuplicateAcrossPathsFirstWinsAndIsReported) {
  TempDir first;
  TempDir second;
  write_file(first / "x.so", "");
  write_file(second / "libx.so", "");
  write_file(second / "y.so", "");
  const DiscoveryResult r = discover({first.path(), second.path()});
  EXPECT_EQ(names(r), (std::vector<std::string>{"x", "y"}));
  ASSERT_EQ(r.modules.size(), 2u);
  EXPECT_EQ(r.modules[0].path, first / "x.so");
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0], "module 'x' is found twice: using '" + (first / "x.so").string() +
                               "' (library), ignoring '" + (second / "libx.so").string() +
                               "' (library)");
}

TEST(Discovery, SourceModulesAndMarkedFoldersAreFound) {
  TempDir dir;
  write_file(dir / "physics.cpp", "");
  write_file(dir / "algorithms" / "sorting.cc", "");
  write_file(dir / "net" / "hotmod.module", "");
  write_file(dir / "net" / "socket.cpp", "");
  write_file(dir / "net" / "inner" / "more.cpp", "");
  write_file(dir / "util.hpp", "");
  write_file(dir / "CMakeFiles" / "probe.cpp", "");
  DiscoveryResult r = discover({dir.path()});
  std::vector<std::string> names;
  for (const auto& m : r.modules) {
    names.push_back(m.name);
    EXPECT_EQ(m.kind, hotmod::ModuleKind::source) << m.name;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"algorithms.sorting", "net", "physics"}));
  EXPECT_TRUE(r.warnings.empty());
}

TEST(Discovery, ASourceAndALibraryOfOneNameAreWarnedAbout) {
  TempDir dir;
  write_file(dir / "x.cpp", "");
  write_file(dir / "x.so", "");
  DiscoveryResult r = discover({dir.path()});
  ASSERT_EQ(r.modules.size(), 1u);
  EXPECT_EQ(r.modules[0].kind, hotmod::ModuleKind::source);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("(source)"), std::string::npos) << r.warnings[0];
  EXPECT_NE(r.warnings[0].find("rename one of them"), std::string::npos) << r.warnings[0];
}

TEST(Discovery, DuplicateInOneFolderFirstInSortedOrderWins) {
  TempDir dir;
  write_file(dir / "x.so", "");
  write_file(dir / "libx.so", "");
  const DiscoveryResult r = discover({dir.path()});
  ASSERT_EQ(r.modules.size(), 1u);
  EXPECT_EQ(r.modules[0].path, dir / "libx.so");
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("ignoring '" + (dir / "x.so").string() + "'"), std::string::npos);
}

TEST(Discovery, MissingPathIsWarnedAndTheOthersStillSearched) {
  TempDir dir;
  write_file(dir / "here/m.so", "");
  write_file(dir / "a-file", "");
  const DiscoveryResult r = discover({dir / "missing", dir / "a-file", dir / "here"});
  EXPECT_EQ(names(r), (std::vector<std::string>{"m"}));
  ASSERT_EQ(r.warnings.size(), 2u);
  EXPECT_EQ(r.warnings[0], "module path '" + (dir / "missing").string() +
                               "' is not a folder; check RuntimeOptions::module_paths");
  EXPECT_NE(r.warnings[1].find("'" + (dir / "a-file").string() + "' is not a folder"),
            std::string::npos);
}

TEST(Discovery, NamesAreCarriedDownNestedFoldersAndSortedBytewise) {
  TempDir dir;
  for (const char* f : {"a/b/c.so", "game/net/hotmod.module", "game/net/x.cpp", "Z.so", "z.so",
                        "a.so", "\xc3\xa9.so"})
    write_file(dir / f, "");
  const DiscoveryResult r = discover({dir.path()});
  EXPECT_EQ(names(r), (std::vector<std::string>{"Z", "a.b.c", "a", "game.net", "z", "\xc3\xa9"}));
  ASSERT_EQ(r.modules.size(), 6u);
  EXPECT_EQ(r.modules[3].kind, ModuleKind::source);
  EXPECT_EQ(r.modules[3].path, dir / "game/net");
}

TEST(Discovery, LinksCountAsWhatTheyPointToAndDanglingOnesAsFiles) {
  TempDir dir;
  write_file(dir / "real/x.so", "");
  fs::create_directories(dir / "mods");
  fs::create_directory_symlink("../real", dir / "mods/sub");
  fs::create_symlink("missing.so", dir / "mods/gone.so");
  ASSERT_EQ(::mkfifo((dir / "mods/pipe.so").c_str(), 0600), 0);
  fs::create_symlink("pipe.so", dir / "mods/via.so");
  const DiscoveryResult r = discover({dir / "mods"});
  EXPECT_EQ(names(r), (std::vector<std::string>{"gone", "sub.x", "via"}))
      << "a FIFO is not a module, a link to one is taken as a file";
  ASSERT_EQ(r.modules.size(), 3u);
  EXPECT_EQ(r.modules[1].path, dir / "mods/sub/x.so");
  EXPECT_EQ(r.modules[0].kind, ModuleKind::library);
  EXPECT_TRUE(r.warnings.empty());
}

TEST(Discovery, AMarkedFolderIsASourceModuleWhateverItsNameEndsWith) {
  TempDir dir;
  write_file(dir / "t.cxx", "");
  write_file(dir / "ai.lua", "");
  write_file(dir / "scripts.lua/hotmod.module", "");
  const DiscoveryResult r = discover({dir.path()});
  ASSERT_EQ(names(r), (std::vector<std::string>{"ai", "scripts.lua", "t"}));
  EXPECT_EQ(r.modules[0].kind, ModuleKind::script);
  EXPECT_EQ(r.modules[1].kind, ModuleKind::source) << "a folder, not a Lua file";
  EXPECT_EQ(r.modules[2].kind, ModuleKind::source);
}

// A name with a newline or an escape sequence could forge log lines or move
// the terminal's cursor wherever it is printed: such a file is no module,
// and the warning shows its name escaped.
TEST(Discovery, ANameWithAControlCharacterIsSkippedAndShownEscaped) {
  TempDir dir;
  write_file(dir / "ok.so", "");
  write_file(dir / "evil\x1b[2J.so", "");
  write_file(dir / "two\nlines.lua", "");
  const DiscoveryResult r = discover({dir.path()});
  EXPECT_EQ(names(r), std::vector<std::string>{"ok"});
  ASSERT_EQ(r.warnings.size(), 2u);
  EXPECT_NE(r.warnings[0].find("evil\\x1b[2J.so': its name"), std::string::npos) << r.warnings[0];
  EXPECT_NE(r.warnings[1].find("two\\nlines.lua'"), std::string::npos) << r.warnings[1];
  for (const std::string& w : r.warnings) {
    EXPECT_EQ(w.find('\x1b'), std::string::npos) << w;
    EXPECT_EQ(w.find('\n'), std::string::npos) << w;
    EXPECT_NE(w.find("rename it"), std::string::npos) << w;
  }
  EXPECT_EQ(module_name(dir.path(), dir / "evil\x1b[2J.so"), "");
}

TEST(Discovery, NoPathsFindNothing) {
  const DiscoveryResult r = discover({});
  EXPECT_TRUE(r.modules.empty());
  EXPECT_TRUE(r.warnings.empty());
}

}  // namespace
}  // namespace hotmod::registry
