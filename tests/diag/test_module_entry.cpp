// diag::enter_module, the one way into module code: what it returns for a
// function that returns, throws a std::exception or throws something else,
// and the guards it holds while the function runs.
#include "diag/module_entry.hpp"

#include <stdexcept>

#include <gtest/gtest.h>

namespace hotmod::diag {
namespace {

TEST(ModuleEntry, AFunctionThatReturnsEscapesNothing) {
  int ran = 0;
  EXPECT_FALSE(enter_module(nullptr, [&] { ++ran; }).has_value());
  EXPECT_EQ(ran, 1);
}

TEST(ModuleEntry, AStdExceptionIsCaughtWithItsMessage) {
  std::optional<Escaped> escaped =
      enter_module(nullptr, [] { throw std::runtime_error("the module's bug"); });
  ASSERT_TRUE(escaped.has_value());
  EXPECT_EQ(escaped->what, "the module's bug");
}

TEST(ModuleEntry, AnythingElseThrownIsCaughtAndNamed) {
  std::optional<Escaped> escaped = enter_module(nullptr, [] { throw 7; });
  ASSERT_TRUE(escaped.has_value());
  EXPECT_EQ(escaped->what, "an exception that is not a std::exception");
}

TEST(ModuleEntry, TheFunctionRunsAsModuleCode) {
  hold_traces();  // dev mode: throws in module code have their stack captured
  EXPECT_FALSE(capturing()) << "host code";
  bool inside = false;
  bool nested = false;
  EXPECT_FALSE(enter_module(nullptr, [&] {
                 inside = capturing();
                 // A module calling another: both entries nest.
                 EXPECT_FALSE(enter_module(nullptr, [&] { nested = capturing(); }));
                 EXPECT_TRUE(capturing()) << "still inside the outer one";
               }).has_value());
  EXPECT_TRUE(inside);
  EXPECT_TRUE(nested);
  EXPECT_FALSE(capturing()) << "back in host code";
  release_traces();
}

}  // namespace
}  // namespace hotmod::diag
