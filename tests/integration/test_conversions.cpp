// Arguments and results of standard types — numbers, bool, strings,
// sequences and string-keyed maps, nested — convert through the host's
// operations on Values in a module that never defines hotmod::Value (the
// `tools.math` fixture), and a value that does not fit is named down to the
// element.
#include <optional>

#include "support.hpp"

namespace hotmod_test {
namespace {

using hotmod::Value;

class ConversionTest : public RuntimeTest {
 protected:
  void SetUp() override {
    install(fixtures::nested, "tools/math.so");
    rt_.emplace(options());
    hotmod::Result<hotmod::Module> m = rt_->module("tools.math");
    ASSERT_TRUE(m.ok()) << m.error().message;
    m_ = *m;
  }
  void TearDown() override { rt_.reset(); }

  Value ok(std::string_view fn, const Value& args) {
    hotmod::Result<Value> r = m_.call_with(fn, args);
    if (!r.ok()) {
      ADD_FAILURE() << fn << ": " << r.error().message;
      return nullptr;
    }
    return *r;
  }
  std::string bad(std::string_view fn, const Value& args) {
    hotmod::Result<Value> r = m_.call_with(fn, args);
    if (r.ok()) {
      ADD_FAILURE() << fn << " took " << args.dump() << " and gave " << r->dump();
      return {};
    }
    EXPECT_EQ(r.error().failure, hotmod::Failure::bad_arguments) << r.error().message;
    return r.error().message;
  }

  std::optional<hotmod::Runtime> rt_;
  hotmod::Module m_;
};

TEST_F(ConversionTest, SequencesAndMapsConvertBothWays) {
  EXPECT_EQ(ok("sum", Value::parse("[[1, 2.5, 3]]")), 6.5);
  EXPECT_EQ(ok("sum", Value::parse("[[]]")), 0.0);
  EXPECT_EQ(ok("row_sums", Value::parse(R"([{"a": [1, 2], "b": [-5], "c": []}])")),
            Value::parse(R"({"a": 3, "b": -5})"));
  EXPECT_EQ(ok("split_pairs", Value::parse(R"([["a", "b", "c"]])")),
            Value::parse(R"([["a", "b"], ["c"]])"));
  EXPECT_EQ(ok("negate", Value::parse("[[true, false, false]]")),
            Value::parse("[false, true, true]"));
  EXPECT_EQ(ok("swap_keys", Value::parse(R"([{"x": "y"}])")), Value::parse(R"({"y": "x"})"));
  EXPECT_EQ(ok("low_byte", Value::parse("[4660]")), 0x34);
  EXPECT_EQ(ok("low_byte", Value::parse("[18446744073709551615]")), 0xff);
  EXPECT_EQ(ok("nothing_or", Value::parse("[true]")), "some");
  EXPECT_TRUE(ok("nothing_or", Value::parse("[false]")).is_null());
  EXPECT_EQ(ok("mul", Value::parse("[6, 0.5]")), 3.0) << "an integer is a double too";
  EXPECT_EQ(ok("longest", Value::parse(R"(["ab", ["abcd", "abc"]])")), "abcd");
}

TEST_F(ConversionTest, AMismatchIsNamedDownToTheElement) {
  std::string msg = bad("sum", Value::parse(R"([[1, "x"]])"));
  EXPECT_NE(msg.find("'values'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("at [1]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("string \"x\""), std::string::npos) << msg;

  msg = bad("row_sums", Value::parse(R"([{"a": [1, 2], "b": [3, null]}])"));
  EXPECT_NE(msg.find("at \"b\""), std::string::npos) << msg;
  EXPECT_NE(msg.find("at [1]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("null"), std::string::npos) << msg;

  msg = bad("sum", Value::parse(R"([{"a": 1}])"));
  EXPECT_NE(msg.find("got object"), std::string::npos) << msg;

  msg = bad("row_sums", Value::parse("[[1, 2]]"));
  EXPECT_NE(msg.find("got array"), std::string::npos) << msg;

  msg = bad("negate", Value::parse("[[1]]"));
  EXPECT_NE(msg.find("at [0]"), std::string::npos) << "a number is not a bool: " << msg;

  msg = bad("low_byte", Value::parse("[-1]"));
  EXPECT_NE(msg.find("negative"), std::string::npos) << msg;

  msg = bad("split_pairs", Value::parse("[\"a b\"]"));
  EXPECT_NE(msg.find("'words'"), std::string::npos) << msg;
}

TEST_F(ConversionTest, SignaturesNameTheStandardTypes) {
  std::optional<hotmod::ModuleInfo> info = rt_->info("tools.math");
  ASSERT_TRUE(info.has_value());
  std::vector<std::string> names;
  for (const auto& f : info->functions) names.push_back(f.name);
  EXPECT_EQ(names, (std::vector<std::string>{"mul", "sum", "row_sums", "split_pairs", "negate",
                                             "low_byte", "swap_keys", "nothing_or", "longest"}))
      << "in the order the module exported them";
  EXPECT_EQ(info->functions[0].signature, "double mul(double a, double b)");
  EXPECT_EQ(info->functions[0].doc, "Multiplies");
  EXPECT_NE(info->functions[1].signature.find("std::vector<double> values)"), std::string::npos)
      << info->functions[1].signature;
  EXPECT_EQ(info->functions[4].signature.rfind("std::deque<bool> negate(std::vector<bool> flags)"),
            0u)
      << info->functions[4].signature;
}

}  // namespace
}  // namespace hotmod_test
