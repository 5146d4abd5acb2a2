// runtime/suggest: "did you mean" picks the closest name, and only when it is
// close enough to be a typo.
#include "text/suggest.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace hotmod::text {
namespace {

const std::vector<std::string> kModules = {"counter", "sticky", "tools.math", "physics"};

TEST(Suggest, TyposFindTheIntendedName) {
  EXPECT_EQ(did_you_mean("countr", kModules), "counter");    // deletion
  EXPECT_EQ(did_you_mean("counterr", kModules), "counter");  // insertion
  EXPECT_EQ(did_you_mean("cuonter", kModules), "counter");   // transposition = 2 edits
  EXPECT_EQ(did_you_mean("tools.mth", kModules), "tools.math");
  EXPECT_EQ(did_you_mean("Physics", kModules), "physics");  // case is an edit
}

TEST(Suggest, ExactNameIsItsOwnSuggestion) {
  EXPECT_EQ(did_you_mean("sticky", kModules), "sticky");
}

TEST(Suggest, NothingCloseGivesNothing) {
  EXPECT_EQ(did_you_mean("renderer", kModules), "");
  EXPECT_EQ(did_you_mean("counter", {}), "");
  EXPECT_EQ(did_you_mean("", kModules), "");
}

TEST(Suggest, ThresholdIsTwoEditsOrAThirdOfTheLength) {
  // Short names: up to 2 edits.
  EXPECT_EQ(did_you_mean("abc", {"axy"}), "axy");
  EXPECT_EQ(did_you_mean("abc", {"xyz"}), "");
  // A 12-character name: up to 4 edits.
  EXPECT_EQ(did_you_mean("abcdefghijkl", {"abcdefghWXYZ"}), "abcdefghWXYZ");
  EXPECT_EQ(did_you_mean("abcdefghijkl", {"abcdefgVWXYZ"}), "");
}

TEST(Suggest, ClosestWinsAndTiesGoToTheFirst) {
  EXPECT_EQ(did_you_mean("sticy", {"stack", "sticky"}), "sticky");
  EXPECT_EQ(did_you_mean("cat", {"bat", "hat"}), "bat");
}

}  // namespace
}  // namespace hotmod::text
