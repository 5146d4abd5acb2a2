// Dynamic calls through Module: results, and errors that name the function,
// the parameter and the expected type instead of crashing.
#include <optional>

#include "support.hpp"

namespace hotmod_test {
namespace {

class CallTest : public RuntimeTest {
 protected:
  void SetUp() override {
    install(fixtures::counter_v1);
    rt_.emplace(options());
    m_ = load(*rt_);
    ASSERT_TRUE(m_);
  }
  void TearDown() override { rt_.reset(); }

  // The message of a call that must fail; fails the test when it succeeded.
  static std::string failure(const hotmod::Result<hotmod::Value>& r) {
    if (r.ok()) {
      ADD_FAILURE() << "expected an error, got " << r.value().dump();
      return {};
    }
    return r.error().message;
  }

  std::optional<hotmod::Runtime> rt_;
  hotmod::Module m_;
};

bool has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST_F(CallTest, ReturnsResults) {
  EXPECT_EQ(m_.name(), "counter");
  auto sum = m_.call("add", 2, 3);
  ASSERT_TRUE(sum.ok()) << sum.error().message;
  EXPECT_EQ(sum.value(), 5);
  EXPECT_EQ(m_.call_as<std::string>("greet", "Ada", 2).value(), "v1: hello Ada hello Ada");
  auto with = m_.call_with("add", hotmod::Value::array({40, 2}));
  ASSERT_TRUE(with.ok()) << with.error().message;
  EXPECT_EQ(with.value(), 42);
  EXPECT_EQ(m_.call_as<bool>("restored").value(), false);
}

TEST_F(CallTest, WrongArgumentCountNamesTheFunctionAndItsSignature) {
  std::string msg = failure(m_.call("add", 1));
  EXPECT_TRUE(has(msg, "add")) << msg;
  EXPECT_TRUE(has(msg, "2 arguments")) << msg;
  EXPECT_TRUE(has(msg, "int add(int a, int b)")) << msg;

  msg = failure(m_.call("version", 1, 2, 3));
  EXPECT_TRUE(has(msg, "version")) << msg;
  EXPECT_TRUE(has(msg, "0 arguments")) << msg;
}

TEST_F(CallTest, WrongArgumentTypeNamesTheParameterAndTheType) {
  std::string msg = failure(m_.call("add", 1, "two"));
  EXPECT_TRUE(has(msg, "add")) << msg;
  EXPECT_TRUE(has(msg, "'b'")) << msg;
  EXPECT_TRUE(has(msg, "must be int")) << msg;

  msg = failure(m_.call("greet", 7, 1));
  EXPECT_TRUE(has(msg, "greet")) << msg;
  EXPECT_TRUE(has(msg, "'who'")) << msg;
  EXPECT_TRUE(has(msg, "must be string")) << msg;

  msg = failure(m_.call("add", 1, 1e12));  // a number, but not an int
  EXPECT_TRUE(has(msg, "'b'")) << msg;

  msg = failure(m_.call("add", 1, hotmod::Value(5'000'000'000LL)));  // out of range
  EXPECT_TRUE(has(msg, "'b'")) << msg;
  EXPECT_TRUE(has(msg, "out of range")) << msg;

  msg = failure(m_.call_with("add", hotmod::Value{{"a", 1}}));  // not an array
  EXPECT_TRUE(has(msg, "add")) << msg;
}

TEST_F(CallTest, UnknownFunctionIsAnErrorNamingIt) {
  std::string msg = failure(m_.call("incremnet"));
  EXPECT_TRUE(has(msg, "incremnet")) << msg;
  EXPECT_TRUE(has(msg, "counter")) << msg;
}

TEST_F(CallTest, ExceptionsBecomeErrors) {
  std::string msg = failure(m_.call("fail", "disk on fire"));
  EXPECT_TRUE(has(msg, "fail")) << msg;
  EXPECT_TRUE(has(msg, "disk on fire")) << msg;
  EXPECT_EQ(call_int(m_, "version"), 1) << "the module still answers";
}

TEST_F(CallTest, ResultOfTheWrongTypeIsAnError) {
  hotmod::Result<std::string> r = m_.call_as<std::string>("version");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().stage, "call");
  EXPECT_TRUE(has(r.error().message, "version")) << r.error().message;
}

}  // namespace
}  // namespace hotmod_test
