// format_value and the literal helpers: values as the console writes them.
#include <gtest/gtest.h>

#include <limits>

#include "script/console.hpp"
#include "script/literal.hpp"

namespace {

using hotmod::Value;
using hotmod::script::format_float;
using hotmod::script::format_value;
using hotmod::script::is_identifier;
using hotmod::script::quote_string;

TEST(Literal, Scalars) {
  EXPECT_EQ(format_value(Value(nullptr)), "nil");
  EXPECT_EQ(format_value(Value(true)), "true");
  EXPECT_EQ(format_value(Value(16)), "16");
  EXPECT_EQ(format_value(Value(-3)), "-3");
  EXPECT_EQ(format_value(Value(4.0)), "4.0");
  EXPECT_EQ(format_value(Value(0.1)), "0.1");
  EXPECT_EQ(format_value(Value(1e100)), "1e+100");
  EXPECT_EQ(format_value(Value(std::uint64_t{18446744073709551615ULL})), "18446744073709551615");
}

TEST(Literal, TopLevelStringsAreRawNestedOnesQuoted) {
  EXPECT_EQ(format_value(Value("text")), "text");
  EXPECT_EQ(format_value(Value::parse(R"(["text", "a\"b", "tab\there", "line\nend"])")),
            R"({"text", "a\"b", "tab\there", "line\nend"})");
  EXPECT_EQ(quote_string(std::string("\x01\x7f\\", 3)), R"("\001\127\\")");
}

TEST(Literal, Tables) {
  EXPECT_EQ(format_value(Value::array()), "{}");
  EXPECT_EQ(format_value(Value::object()), "{}");
  EXPECT_EQ(format_value(Value::parse("[1, 2.5, [3, [4]]]")), "{1, 2.5, {3, {4}}}");
  EXPECT_EQ(format_value(Value::parse(R"({"x": 3, "a b": {"end": 1}, "_ok": [], "9z": null})")),
            R"({["9z"] = nil, _ok = {}, ["a b"] = {["end"] = 1}, x = 3})");
}

TEST(Literal, Identifiers) {
  EXPECT_TRUE(is_identifier("name_1"));
  EXPECT_TRUE(is_identifier("_"));
  EXPECT_FALSE(is_identifier("1x"));
  EXPECT_FALSE(is_identifier("a-b"));
  EXPECT_FALSE(is_identifier(""));
  EXPECT_FALSE(is_identifier("local"));
  EXPECT_EQ(format_float(-0.0), "-0.0");
  EXPECT_EQ(format_float(std::numeric_limits<double>::infinity()), "inf");
}

}  // namespace
