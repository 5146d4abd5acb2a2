// Dev mode's enhanced errors: where an exception escaping module code was
// thrown, and a stack trace when module code crashes. Production mode keeps
// errors to one line.
#include <gtest/gtest.h>

#include "support.hpp"

namespace hotmod_test {
namespace {

class DevErrorsTest : public RuntimeTest {
 protected:
  hotmod::RuntimeOptions dev_options() const {
    hotmod::RuntimeOptions o = options();
    o.dev_mode = true;
    return o;
  }
};

TEST_F(DevErrorsTest, DevModeShowsWhereAnEscapingExceptionWasThrown) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(dev_options());
  hotmod::Module m = load(rt);
  auto r = m.call("fail", "on purpose");
  ASSERT_FALSE(r.ok());
  const std::string& message = r.error().message;
  EXPECT_NE(message.find("on purpose"), std::string::npos) << message;
  EXPECT_NE(message.find("thrown at:"), std::string::npos) << message;
  EXPECT_NE(message.find("counter.cpp"), std::string::npos) << "with its source file\n" << message;
  EXPECT_NE(message.find("fail"), std::string::npos) << "the throwing function is named\n"
                                                     << message;
}

TEST_F(DevErrorsTest, ProductionModeKeepsErrorsShort) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(options());
  hotmod::Module m = load(rt);
  auto r = m.call("fail", "on purpose");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("on purpose"), std::string::npos);
  EXPECT_EQ(r.error().message.find("thrown at:"), std::string::npos) << r.error().message;
}

TEST_F(DevErrorsTest, AnUncontainedCrashInModuleCodePrintsAStackTrace) {
  // With containment off the process dies; dev mode makes it say where.
  // Under a sanitizer, the sanitizer's own handler owns the signal and
  // reports it. (Contained crashes: test_crash_containment.cpp.)
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  install(fixtures::counter_v1);
  EXPECT_DEATH(
      {
        hotmod::RuntimeOptions o = dev_options();
        o.contain_crashes = hotmod::RuntimeOptions::Containment::off;
        hotmod::Runtime rt(o);
        hotmod::Module m = load(rt);
        (void)m.call("crash");
      },
      "Stack trace|Sanitizer");
}

}  // namespace
}  // namespace hotmod_test
