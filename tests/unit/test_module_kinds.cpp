// The table of module kinds: every kind has a row, extensions say the kind,
// and a source module's code is its sources, headers and folder marker.
#include <gtest/gtest.h>

#include "loader/module_kinds.hpp"
#include "printers.hpp"

namespace {

using hotmod::ModuleKind;
namespace loader = hotmod::loader;

TEST(ModuleKinds, EveryKindHasARowWithExtensions) {
  for (ModuleKind kind : {ModuleKind::library, ModuleKind::source, ModuleKind::script}) {
    const loader::KindRow& row = loader::kind_row(kind);
    EXPECT_EQ(row.kind, kind);
    ASSERT_FALSE(row.extensions.empty()) << hotmod::to_string(kind);
    for (std::string_view ext : row.extensions)
      EXPECT_EQ(loader::kind_by_extension("m" + std::string(ext)), kind) << ext;
  }
  EXPECT_EQ(loader::module_kinds().size(), 3u);
}

TEST(ModuleKinds, TheExtensionSaysTheKind) {
  EXPECT_EQ(loader::kind_by_extension("physics.so"), ModuleKind::library);
  EXPECT_EQ(loader::kind_by_extension("libphysics.so"), ModuleKind::library);
  EXPECT_EQ(loader::kind_by_extension("a/b/shader.cc"), ModuleKind::source);
  EXPECT_EQ(loader::kind_by_extension("tool.cxx"), ModuleKind::source);
  EXPECT_EQ(loader::kind_by_extension("ui.lua"), ModuleKind::script);
  EXPECT_EQ(loader::kind_by_extension("libfoo.so.1"), std::nullopt);
  EXPECT_EQ(loader::kind_by_extension("notes.txt"), std::nullopt);
  EXPECT_EQ(loader::kind_by_extension("folder"), std::nullopt);
  EXPECT_TRUE(loader::has_kind_extension(ModuleKind::source, "x.cpp"));
  EXPECT_FALSE(loader::has_kind_extension(ModuleKind::source, "x.lua"));
}

TEST(ModuleKinds, ASourceModulesCodeIsSourcesHeadersAndTheMarker) {
  for (const char* file : {"a.cpp", "a.cc", "a.cxx", "a.h", "a.hh", "a.hpp", "a.hxx", "a.inl",
                           "a.ipp", "hotmod.module"})
    EXPECT_TRUE(loader::is_source_code(file)) << file;
  for (const char* file : {"a.log", "data.json", "a.lua", "a.so", "a.o"})
    EXPECT_FALSE(loader::is_source_code(file)) << file;
}

}  // namespace
