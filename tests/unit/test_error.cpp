// The error vocabulary (hotmod/error.hpp): every enum's names parse back,
// Result<T> and Result<void> say what failed, and value() of an error throws
// the error itself.
#include <gtest/gtest.h>

#include <string>

#include <hotmod/error.hpp>

#include "printers.hpp"

namespace {

using hotmod::Error;
using hotmod::Failure;
using hotmod::Result;
using hotmod::Stage;

// Every value of Enum, from 0 up to `last`.
template <class Enum>
void expect_names_parse_back(Enum last, std::optional<Enum> (*parse)(std::string_view)) {
  for (int i = 0; i <= static_cast<int>(last); ++i) {
    const auto value = static_cast<Enum>(i);
    const std::string_view name = hotmod::to_string(value);
    EXPECT_NE(name, "unknown") << "value " << i << " has no name";
    EXPECT_EQ(parse(name), value) << name;
  }
  EXPECT_EQ(hotmod::to_string(static_cast<Enum>(static_cast<int>(last) + 1)), "unknown");
  EXPECT_EQ(parse("no such name"), std::nullopt);
  EXPECT_EQ(parse(""), std::nullopt);
}

TEST(ErrorNames, EveryEnumeratorHasANameThatParsesBack) {
  expect_names_parse_back(hotmod::ModuleKind::script, &hotmod::parse_module_kind);
  expect_names_parse_back(Stage::trace, &hotmod::parse_stage);
  expect_names_parse_back(Failure::untrusted, &hotmod::parse_failure);
  EXPECT_EQ(hotmod::parse_failure("abi_mismatch"), Failure::abi_mismatch);
  EXPECT_EQ(hotmod::parse_stage("validate"), Stage::validate);
}

TEST(ResultOfAValue, HoldsTheValueOrTheError) {
  Result<int> good = 7;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 7);
  EXPECT_EQ(good.value(), 7);

  Result<std::string> bad =
      Error{Stage::load, Failure::unknown_module, "no module named 'x'", "details"};
  ASSERT_FALSE(bad.ok());
  EXPECT_FALSE(static_cast<bool>(bad));
  EXPECT_EQ(bad.error().stage, Stage::load);
  EXPECT_EQ(bad.error().failure, Failure::unknown_module);
  EXPECT_EQ(bad.error().diagnostics, "details");
}

TEST(ResultOfAValue, ValueOfAnErrorThrowsAnExceptionCarryingIt) {
  Result<std::string> bad = Error{Stage::call, Failure::function_threw, "module 'm': f threw: no"};
  try {
    (void)bad.value();
    FAIL() << "value() of an error returned";
  } catch (const hotmod::BadResultAccess& e) {
    EXPECT_STREQ(e.what(), "module 'm': f threw: no");
    EXPECT_EQ(e.error().failure, Failure::function_threw);
  }
  EXPECT_THROW((void)bad->size(), hotmod::BadResultAccess);
  EXPECT_THROW((void)std::move(bad).value(), hotmod::BadResultAccess);
  // Caught as what hosts already catch.
  EXPECT_THROW((void)*bad, std::exception);
}

TEST(ResultOfVoid, IsOkOrAnError) {
  Result<void> good;
  EXPECT_TRUE(good.ok());
  EXPECT_NO_THROW(good.value());

  Result<void> bad = Error{Stage::watch, Failure::watch_failed, "cannot watch '/x'"};
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().failure, Failure::watch_failed);
  EXPECT_THROW(bad.value(), hotmod::BadResultAccess);
}

}  // namespace
