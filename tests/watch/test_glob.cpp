// glob_match(), default_excludes(), the enum names, and the Scope that
// applies include/exclude globs to watched paths.
#include <gtest/gtest.h>

#include "hotmod/watcher.hpp"
#include "watch/scope.hpp"

namespace hotmod {
namespace {

TEST(Glob, StarAndQuestionMarkStayWithinOneComponent) {
  EXPECT_TRUE(glob_match("src/*.cpp", "src/a.cpp"));
  EXPECT_FALSE(glob_match("src/*.cpp", "src/sub/a.cpp"));
  EXPECT_TRUE(glob_match("src/?.cpp", "src/a.cpp"));
  EXPECT_FALSE(glob_match("src/?.cpp", "src/ab.cpp"));
  EXPECT_FALSE(glob_match("a?b", "a/b"));
  EXPECT_TRUE(glob_match("*", "anything"));
  EXPECT_TRUE(glob_match("a*b*c", "a-x-b-y-c"));
  EXPECT_FALSE(glob_match("a*b*c", "a-x-b-y-d"));
}

TEST(Glob, WithoutSlashMatchesTheLastComponentAtAnyDepth) {
  EXPECT_TRUE(glob_match("*.cpp", "main.cpp"));
  EXPECT_TRUE(glob_match("*.cpp", "src/deep/er/main.cpp"));
  EXPECT_FALSE(glob_match("*.cpp", "main.cpp/x.h"));
  EXPECT_TRUE(glob_match("build", "x/build"));
  EXPECT_TRUE(glob_match("build/", "x/build"));  // a trailing '/' changes nothing
}

TEST(Glob, DoubleStarSpansAnyNumberOfComponents) {
  EXPECT_TRUE(glob_match("src/**/*.cpp", "src/a.cpp"));
  EXPECT_TRUE(glob_match("src/**/*.cpp", "src/x/y/z/a.cpp"));
  EXPECT_FALSE(glob_match("src/**/*.cpp", "lib/a.cpp"));
  EXPECT_TRUE(glob_match("**/gen", "gen"));
  EXPECT_TRUE(glob_match("**/gen", "a/b/gen"));
  EXPECT_TRUE(glob_match("docs/**", "docs/a/b.md"));
  EXPECT_FALSE(glob_match("docs/**", "src/docs.md"));
  EXPECT_FALSE(glob_match("docs/**", "docs"));  // everything inside, not the folder
  EXPECT_TRUE(glob_match("**", "a/b"));
  EXPECT_TRUE(glob_match("a/**/b/**/c", "a/x/b/y/z/c"));
  EXPECT_TRUE(glob_match("/top/*.txt", "top/a.txt"));  // a leading '/' anchors, nothing more
}

TEST(Glob, CharacterClasses) {
  EXPECT_TRUE(glob_match("[abc].txt", "b.txt"));
  EXPECT_FALSE(glob_match("[abc].txt", "d.txt"));
  EXPECT_TRUE(glob_match("[a-c]x", "cx"));
  EXPECT_TRUE(glob_match("[!a-c]x", "dx"));
  EXPECT_FALSE(glob_match("[^a-c]x", "ax"));
  EXPECT_TRUE(glob_match("[]]", "]"));
  EXPECT_TRUE(glob_match("a[", "a["));  // unterminated: a literal '['
  EXPECT_TRUE(glob_match("\\*.txt", "*.txt"));
  EXPECT_FALSE(glob_match("\\*.txt", "a.txt"));
}

TEST(Glob, DefaultExcludesCoverVersionControlBuildFoldersAndEditorFiles) {
  std::vector<std::string> defaults = default_excludes();
  auto excluded = [&](std::string_view path) {
    for (const std::string& glob : defaults)
      if (glob_match(glob, path)) return true;
    return false;
  };
  for (const char* path :
       {".git", "a/.git", ".hg", ".svn", "build", "cmake-build-debug", "x/CMakeFiles", "a.cpp.swp",
        ".a.cpp.swo", "a.swx", "a.cpp~", ".#a.cpp", "#a.cpp#", "4913", "x/4913", "save.tmp"})
    EXPECT_TRUE(excluded(path)) << path;
  for (const char* path : {"a.cpp", "src/builder.cpp", "my.gitignore", "49130", "a.tmpl"})
    EXPECT_FALSE(excluded(path)) << path;
}

TEST(WatchNames, RoundTrip) {
  EXPECT_EQ(to_string(ChangeKind::created), "created");
  EXPECT_EQ(to_string(ChangeKind::modified), "modified");
  EXPECT_EQ(to_string(ChangeKind::deleted), "deleted");
  EXPECT_EQ(to_string(ChangeKind::renamed), "renamed");
  for (WatchBackend b : {WatchBackend::automatic, WatchBackend::kernel, WatchBackend::polling})
    EXPECT_EQ(parse_watch_backend(to_string(b)), b);
  EXPECT_EQ(parse_watch_backend("automatic"), WatchBackend::automatic);
  EXPECT_EQ(parse_watch_backend("poll"), WatchBackend::polling);
  EXPECT_EQ(parse_watch_backend("inotfy"), std::nullopt);
  EXPECT_EQ(parse_watch_backend(""), std::nullopt);
}

TEST(Scope, ExcludedFoldersArePrunedAndEverythingBelowThemIsLeftOut) {
  watch::Scope scope({"/r"}, {}, {"build", "gen/*.h", "*.swp"});
  scope.roots()[0].kind = watch::RootKind::folder;
  EXPECT_TRUE(scope.descend("/r"));
  EXPECT_TRUE(scope.descend("/r/src"));
  EXPECT_FALSE(scope.descend("/r/build"));
  EXPECT_FALSE(scope.descend("/r/src/build/x"));
  EXPECT_FALSE(scope.descend("/other"));
  EXPECT_TRUE(scope.wanted("/r/src/a.cpp"));
  EXPECT_FALSE(scope.wanted("/r/build/a.o"));
  EXPECT_FALSE(scope.wanted("/r/src/a.cpp.swp"));
  EXPECT_FALSE(scope.wanted("/r/gen/a.h"));
  EXPECT_TRUE(scope.wanted("/r/x/gen/a.h"));  // anchored at the root
  EXPECT_TRUE(scope.wanted("/r"));            // a root is always reported
}

TEST(Scope, IncludeGlobsSelectFilesButFoldersAreStillWalked) {
  watch::Scope scope({"/r"}, {"*.cpp", "docs/**"}, {});
  scope.roots()[0].kind = watch::RootKind::folder;
  EXPECT_TRUE(scope.descend("/r/src/deep"));
  EXPECT_TRUE(scope.wanted("/r/src/deep/a.cpp"));
  EXPECT_FALSE(scope.wanted("/r/src/deep/a.h"));
  EXPECT_TRUE(scope.wanted("/r/docs/guide/intro.md"));
  EXPECT_FALSE(scope.wanted("/r/src"));  // include leaves folders out too
}

TEST(Scope, AFileRootWatchesItsFolderForThatFileOnly) {
  watch::Scope scope({"/r/app.cfg"}, {}, {"*.cfg"});
  scope.roots()[0].kind = watch::RootKind::file;
  EXPECT_TRUE(scope.is_base("/r"));
  EXPECT_FALSE(scope.descend("/r"));
  EXPECT_TRUE(scope.wanted("/r/app.cfg"));  // named explicitly: no exclude applies
  EXPECT_FALSE(scope.wanted("/r/other.cfg"));
  EXPECT_FALSE(scope.wanted("/r/x.txt"));
}

}  // namespace
}  // namespace hotmod
