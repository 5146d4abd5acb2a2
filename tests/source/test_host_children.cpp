// A host that ignores SIGCHLD, or reaps every child it has, still gets
// builds that succeed when the compiler succeeds and fail, with the
// compiler's messages, when it fails: hotmod's compiles are never the
// host's children.
#include <functional>

#include "host_children.hpp"
#include "source_support.hpp"

namespace hotmod_test {
namespace {

// A good version loads, a broken one fails at build with the compiler's
// message and leaves it running, the fix reloads.
using Writer = std::function<void(const std::string& file, const std::string& text)>;

void builds_report_what_the_compiler_said(hotmod::Runtime& rt, const Writer& write) {
  ASSERT_EQ(answer(rt, "calc"), 1);
  write("modules/calc.cpp", module_text("calc", 2, "int broken() { return undeclared_name; }\n"));
  hotmod::ReloadStats s = rt.reload("calc");
  EXPECT_FALSE(s.success);
  EXPECT_EQ(s.failure, hotmod::Failure::build_failed) << s.error;
  EXPECT_NE(s.diagnostics.find("undeclared_name"), std::string::npos) << s.diagnostics;
  EXPECT_EQ(answer(rt, "calc"), 1);
  write("modules/calc.cpp", module_text("calc", 3));
  s = rt.reload("calc");
  EXPECT_TRUE(s.success) << s.error << "\n" << s.diagnostics;
  EXPECT_EQ(answer(rt, "calc"), 3);
}

TEST_F(SourceTest, AHostIgnoringSigchldGetsTheCompilersVerdict) {
  IgnoringSigchld host;
  ASSERT_TRUE(host.ok());
  write("modules/calc.cpp", module_text("calc", 1));
  hotmod::Runtime rt(dev_options(false));
  builds_report_what_the_compiler_said(
      rt, [&](const std::string& f, const std::string& text) { write(f, text); });
}

TEST_F(SourceTest, AHostReapingEveryChildGetsTheCompilersVerdict) {
  ReapingEveryChild host;
  write("modules/calc.cpp", module_text("calc", 1));
  {
    hotmod::Runtime rt(dev_options(false));
    builds_report_what_the_compiler_said(
        rt, [&](const std::string& f, const std::string& text) { write(f, text); });
  }
  EXPECT_EQ(host.reaped(), 0) << "the host's reaper saw one of hotmod's children";
}

}  // namespace
}  // namespace hotmod_test
