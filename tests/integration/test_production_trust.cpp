// What production refuses before any of a module's code runs: module files
// and folders others may change (as ssh's StrictModes refuses such an
// authorized_keys), with the chmod that fixes it; dev mode loads them.
#include <sys/stat.h>

#include <cstdlib>

#include "support.hpp"

namespace hotmod_test {
namespace {

class ProductionTrustTest : public RuntimeTest {};

TEST_F(ProductionTrustTest, AModuleInAFolderOthersMayWriteIsRefusedNamingTheFix) {
  install(fixtures::counter_v1);
  fs::permissions(modules(), fs::perms(0777));
  hotmod::RuntimeOptions o = options();
  ASSERT_FALSE(o.dev_mode);
  {
    hotmod::Runtime rt(o);
    EventLog events(rt.bus());
    hotmod::Result<hotmod::Module> m = rt.module("counter");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().failure, hotmod::Failure::untrusted);
    const std::string folder = fs::canonical(modules()).string();
    EXPECT_EQ(m.error().message, "module 'counter' is not loaded in production: '" + folder +
                                     "' can be written by anyone (mode 777); chmod go-w '" +
                                     folder + "'");
    EXPECT_TRUE(mapped_under(tmp_.path()).empty()) << "nothing of it was opened";
    EXPECT_TRUE(files_under(versions()).empty()) << "not even copied";
  }
  o.dev_mode = true;  // a developer's own machine: loaded as before
  hotmod::Runtime dev(o);
  EXPECT_EQ(call_int(load(dev), "version"), 1);
}

TEST_F(ProductionTrustTest, AModuleFileOthersMayWriteIsRefusedAndFixingItLoads) {
  const fs::path file = install(fixtures::counter_v1);
  fs::permissions(file, fs::perms(0666));
  hotmod::Runtime rt(options());
  hotmod::Result<hotmod::Module> m = rt.module("counter");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().failure, hotmod::Failure::untrusted);
  EXPECT_NE(m.error().message.find("chmod go-w '" + fs::canonical(file).string() + "'"),
            std::string::npos)
      << m.error().message;
  fs::permissions(file, fs::perms(0644));
  EXPECT_EQ(call_int(load(rt), "version"), 1);
}

// The capabilities a library module needs are read from its file's record,
// so a refused module runs none of its code, not even static constructors.
TEST_F(ProductionTrustTest, ARefusedCapabilityRunsNoneOfTheModulesCode) {
  ::unsetenv("HOTMOD_COUNTER_CAPS_CONSTRUCTED");
  install(fixtures::counter_caps);
  {
    hotmod::Runtime rt(options());
    hotmod::Result<hotmod::Module> m = rt.module("counter");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().failure, hotmod::Failure::missing_capability);
    EXPECT_NE(m.error().message.find("net:listen"), std::string::npos) << m.error().message;
    EXPECT_EQ(std::getenv("HOTMOD_COUNTER_CAPS_CONSTRUCTED"), nullptr)
        << "its static constructors ran";
    EXPECT_TRUE(mapped_under(tmp_.path()).empty()) << "it was never opened";
  }
  hotmod::RuntimeOptions o = options();
  o.module_capabilities["counter"] = {"net:listen"};
  hotmod::Runtime granted(o);
  EXPECT_EQ(call_int(load(granted), "version"), 2);
  EXPECT_NE(std::getenv("HOTMOD_COUNTER_CAPS_CONSTRUCTED"), nullptr);
}

TEST_F(ProductionTrustTest, AScriptOthersMayWriteIsRefusedToo) {
  write_text(modules() / "hello.lua", "return {hi = function() return 1 end}");
  fs::permissions(modules() / "hello.lua", fs::perms(0646));
  hotmod::Runtime rt(options());
  hotmod::Result<hotmod::Module> m = rt.module("hello");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().failure, hotmod::Failure::untrusted);
  EXPECT_NE(m.error().message.find("can be written by anyone"), std::string::npos)
      << m.error().message;
}

}  // namespace
}  // namespace hotmod_test
