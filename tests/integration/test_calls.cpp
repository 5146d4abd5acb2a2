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

  // The message of a call that must fail with `why`; fails the test when it
  // succeeded or failed for another reason.
  static std::string failure(const hotmod::Result<hotmod::Value>& r, hotmod::Failure why) {
    if (r.ok()) {
      ADD_FAILURE() << "expected an error, got " << r.value().dump();
      return {};
    }
    EXPECT_EQ(r.error().stage, hotmod::Stage::call);
    EXPECT_EQ(r.error().failure, why) << r.error().message;
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
  std::string msg = failure(m_.call("add", 1), hotmod::Failure::bad_arguments);
  EXPECT_TRUE(has(msg, "add")) << msg;
  EXPECT_TRUE(has(msg, "2 arguments")) << msg;
  EXPECT_TRUE(has(msg, "int add(int a, int b)")) << msg;

  msg = failure(m_.call("version", 1, 2, 3), hotmod::Failure::bad_arguments);
  EXPECT_TRUE(has(msg, "version")) << msg;
  EXPECT_TRUE(has(msg, "0 arguments")) << msg;
}

TEST_F(CallTest, WrongArgumentTypeNamesTheParameterAndTheType) {
  std::string msg = failure(m_.call("add", 1, "two"), hotmod::Failure::bad_arguments);
  EXPECT_TRUE(has(msg, "add")) << msg;
  EXPECT_TRUE(has(msg, "'b'")) << msg;
  EXPECT_TRUE(has(msg, "must be int")) << msg;

  msg = failure(m_.call("greet", 7, 1), hotmod::Failure::bad_arguments);
  EXPECT_TRUE(has(msg, "greet")) << msg;
  EXPECT_TRUE(has(msg, "'who'")) << msg;
  EXPECT_TRUE(has(msg, "must be string")) << msg;

  msg =
      failure(m_.call("add", 1, 1e12), hotmod::Failure::bad_arguments);  // a number, but not an int
  EXPECT_TRUE(has(msg, "'b'")) << msg;

  msg = failure(m_.call("add", 1, hotmod::Value(5'000'000'000LL)),
                hotmod::Failure::bad_arguments);  // out of range
  EXPECT_TRUE(has(msg, "'b'")) << msg;
  EXPECT_TRUE(has(msg, "out of range")) << msg;

  msg = failure(m_.call_with("add", hotmod::Value{{"a", 1}}),
                hotmod::Failure::bad_arguments);  // not an array
  EXPECT_TRUE(has(msg, "add")) << msg;
}

TEST_F(CallTest, UnknownFunctionIsAnErrorNamingIt) {
  std::string msg = failure(m_.call("incremnet"), hotmod::Failure::unknown_function);
  EXPECT_TRUE(has(msg, "incremnet")) << msg;
  EXPECT_TRUE(has(msg, "counter")) << msg;
}

TEST_F(CallTest, ExceptionsBecomeErrors) {
  std::string msg = failure(m_.call("fail", "disk on fire"), hotmod::Failure::function_threw);
  EXPECT_TRUE(has(msg, "fail")) << msg;
  EXPECT_TRUE(has(msg, "disk on fire")) << msg;
  EXPECT_EQ(call_int(m_, "version"), 1) << "the module still answers";
}

TEST_F(CallTest, ResultOfTheWrongTypeIsAnError) {
  hotmod::Result<std::string> r = m_.call_as<std::string>("version");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().stage, hotmod::Stage::call);
  EXPECT_EQ(r.error().failure, hotmod::Failure::bad_result);
  EXPECT_TRUE(has(r.error().message, "version")) << r.error().message;
}

TEST_F(CallTest, ValueOfAnErrorThrowsTheErrorNotABadVariantAccess) {
  hotmod::Result<hotmod::Value> r = m_.call("incremnet");
  try {
    (void)r.value();
    ADD_FAILURE() << "value() of an error returned";
  } catch (const hotmod::BadResultAccess& e) {
    EXPECT_EQ(std::string(e.what()), r.error().message);
    EXPECT_TRUE(has(e.what(), "counter")) << e.what();
    EXPECT_EQ(e.error().failure, hotmod::Failure::unknown_function);
  }
  EXPECT_THROW((void)*r, hotmod::BadResultAccess);
  EXPECT_THROW((void)r->is_null(), hotmod::BadResultAccess);
}

TEST_F(CallTest, LoadErrorsSayWhyAsValues) {
  hotmod::Result<hotmod::Module> unknown = rt_->module("countr");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().stage, hotmod::Stage::load);
  EXPECT_EQ(unknown.error().failure, hotmod::Failure::unknown_module);
  EXPECT_THROW((void)unknown.value(), hotmod::BadResultAccess);

  struct NotImplemented {
    virtual ~NotImplemented() = default;
  };
  auto ref = rt_->ref<NotImplemented>("counter");
  ASSERT_FALSE(ref.ok());
  EXPECT_EQ(ref.error().stage, hotmod::Stage::validate);
  EXPECT_EQ(ref.error().failure, hotmod::Failure::missing_interface);
}

}  // namespace
}  // namespace hotmod_test
