// An exception a module throws through a Ref<I> call outlives the call: the
// host's catch block runs after the call's pin ended, and an exception_ptr
// keeps it for as long as the host likes. Its what() and destructor are the
// module's code. A reload meanwhile must not take that code away: the image
// stays open until the exception is destroyed, then goes as usual.
#include <exception>

#include "crash_support.hpp"

namespace hotmod_test {
namespace {

class ExceptionLifetime : public CrashTest {
 protected:
  // Replaces crasher 1.0.0 with 2.0.0 and waits for everything the reaper
  // may unload now.
  void replace_v1(hotmod::Runtime& rt) const {
    install_crasher(fixtures::crasher_v2);
    hotmod::ReloadStats s = rt.reload("crasher");
    ASSERT_TRUE(s.success) << s.error;
    rt.wait_for_unloads();
  }

  // Replaces crasher 1.0.0 while `kept` (one of its exceptions) lives: the
  // image stays, the exception rethrows without a stale call, and once it
  // is gone the image is unloaded.
  void replace_while_kept(hotmod::Runtime& rt, EventLog& events, std::exception_ptr& kept) const {
    ASSERT_TRUE(kept);
    replace_v1(rt);
    EXPECT_EQ(events.count("module.unloaded"), 0u) << "the exception_ptr holds it";

    testing::internal::CaptureStderr();
    try {
      std::rethrow_exception(kept);
    } catch (const std::exception& e) {
      EXPECT_STREQ(e.what(), "failed in crasher 1.0.0");
    }
    const std::string said = testing::internal::GetCapturedStderr();
    EXPECT_EQ(said.find("retired"), std::string::npos) << "no stale call: " << said;

    kept = nullptr;
    ASSERT_TRUE(wait_until([&] { return events.count("module.unloaded") == 1; })) << logs_->dump();
  }
};

// Containment off: the replaced image would be closed at once, and what()
// would jump into unmapped memory.
TEST_F(ExceptionLifetime, TheHostsCatchBlockOutlivesAReloadOfTheModuleThatThrew) {
  install_crasher(fixtures::crasher_v1);
  hotmod::RuntimeOptions o = dev_options();
  o.contain_crashes = hotmod::RuntimeOptions::Containment::off;
  hotmod::Runtime rt(o);
  EventLog events(rt.bus());
  hotmod::Ref<crasher_fixture::ICrasher> crasher =
      rt.ref<crasher_fixture::ICrasher>("crasher").value();
  const fs::path old_copy = mapped_under(versions()).at(0);
  bool caught = false;
  try {
    crasher->fail();
  } catch (const std::exception& e) {
    caught = true;
    replace_v1(rt);
    EXPECT_EQ(crasher->version(), 2);
    EXPECT_EQ(events.count("module.unloaded"), 0u) << "the exception being handled holds it";
    EXPECT_TRUE(is_mapped(old_copy));
    EXPECT_STREQ(e.what(), "failed in crasher 1.0.0");
  }
  ASSERT_TRUE(caught);
  // Destroyed at the end of the catch block: now the image goes.
  ASSERT_TRUE(wait_until([&] { return events.count("module.unloaded") == 1; })) << logs_->dump();
  EXPECT_EQ(events.payloads("module.unloaded").at(0)["version"], "1.0.0");
  EXPECT_TRUE(wait_until([&] { return !is_mapped(old_copy); }));
}

// Containment on: the replaced image's code would be guarded, and what()
// would be reported as a stale call.
TEST_F(ExceptionLifetime, AKeptExceptionPtrRethrowsAfterAReloadAndReleasesTheImageWhenGone) {
  install_crasher(fixtures::crasher_v1);
  hotmod::Runtime rt(dev_options());
  EventLog events(rt.bus());
  hotmod::Ref<crasher_fixture::ICrasher> crasher =
      rt.ref<crasher_fixture::ICrasher>("crasher").value();
  std::exception_ptr kept;
  try {
    crasher->fail();
  } catch (...) {
    kept = std::current_exception();
  }
  ASSERT_NO_FATAL_FAILURE(replace_while_kept(rt, events, kept));
  EXPECT_EQ(events.payloads("module.unloaded").at(0)["code_kept"], true)
      << "then guarded like any replaced version";
}

// std::make_exception_ptr makes an exception without throwing it: it holds
// the image all the same.
TEST_F(ExceptionLifetime, AnExceptionPtrTheModuleMadeWithoutThrowingHoldsItsImage) {
  install_crasher(fixtures::crasher_v1);
  hotmod::Runtime rt(dev_options());
  EventLog events(rt.bus());
  hotmod::Ref<crasher_fixture::ICrasher> crasher =
      rt.ref<crasher_fixture::ICrasher>("crasher").value();
  std::exception_ptr kept = crasher->make_error();
  ASSERT_NO_FATAL_FAILURE(replace_while_kept(rt, events, kept));
}

// An exception whose construction failed never lived: nothing holds its
// image.
TEST_F(ExceptionLifetime, AnExceptionThatCouldNotBeMadeHoldsNothing) {
  install_crasher(fixtures::crasher_v1);
  hotmod::Runtime rt(dev_options());
  EventLog events(rt.bus());
  hotmod::Ref<crasher_fixture::ICrasher> crasher =
      rt.ref<crasher_fixture::ICrasher>("crasher").value();
  ASSERT_EQ(crasher->make_error_that_cannot_be_copied(), 1);
  replace_v1(rt);
  EXPECT_EQ(events.count("module.unloaded"), 1u) << "still held by an exception never made";
}

// The hold changes nothing else: the exception's own destructor runs, once,
// when the host is done with it, in production mode as in dev mode.
TEST_F(ExceptionLifetime, TheExceptionsOwnDestructorRunsOnceWhenItDies) {
  install_crasher(fixtures::crasher_v1);
  for (const bool dev : {true, false}) {
    hotmod::RuntimeOptions o = dev_options();
    o.dev_mode = dev;
    hotmod::Runtime rt(o);
    hotmod::Ref<crasher_fixture::ICrasher> crasher =
        rt.ref<crasher_fixture::ICrasher>("crasher").value();
    const int before = crasher->errors_destroyed();
    try {
      crasher->fail();
    } catch (const std::exception& e) {
      EXPECT_EQ(crasher->errors_destroyed(), before) << "alive while caught";
    }
    EXPECT_EQ(crasher->errors_destroyed(), before + 1) << (dev ? "dev" : "production");
  }
}

// The runtime goes while an exception of a module lives: the image stays
// mapped for good, and the exception stays usable.
TEST_F(ExceptionLifetime, AnExceptionOutlivingTheRuntimeKeepsItsImageForGood) {
  install_crasher(fixtures::crasher_v1);
  std::exception_ptr kept;
  fs::path copy;
  {
    hotmod::Runtime rt(dev_options());
    hotmod::Ref<crasher_fixture::ICrasher> crasher =
        rt.ref<crasher_fixture::ICrasher>("crasher").value();
    copy = mapped_under(versions()).at(0);
    try {
      crasher->fail();
    } catch (...) {
      kept = std::current_exception();
    }
  }
  EXPECT_TRUE(is_mapped(copy));
  try {
    std::rethrow_exception(kept);
  } catch (const std::exception& e) {
    EXPECT_STREQ(e.what(), "failed in crasher 1.0.0");
  }
  kept = nullptr;  // its destructor runs from the image still mapped
}

}  // namespace
}  // namespace hotmod_test
