// Every way a new version can fail, and that each one changes nothing: the
// old version keeps answering with its state and subscriptions, the failure
// is named (stage, Failure value, message), and module.reload_failed says so.
#include <functional>
#include <ostream>

#include "support.hpp"

namespace hotmod_test {
namespace {

using counter_fixture::ICounter;

struct Case {
  const char* name;
  // Puts the broken version at `to`.
  std::function<void(const fs::path& to)> install;
  hotmod::Stage stage;
  hotmod::Failure failure;
  std::vector<std::string> mentions;  // in error + diagnostics
  bool old_on_load_rerun = false;     // the transaction got as far as on_unload(old)
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

std::vector<Case> cases() {
  auto copy = [](const char* fixture) {
    return [fixture](const fs::path& to) { install_atomic(fixture, to); };
  };
  using hotmod::Failure;
  using hotmod::Stage;
  return {
      {"NotASharedObject",
       copy(fixtures::not_so),
       Stage::load,
       Failure::not_shared_object,
       {"counter"}},
      {"TruncatedAtHalf",
       [](const fs::path& to) {
         install_truncated(fixtures::counter_v2, to, file_size(fixtures::counter_v2) / 2);
       },
       Stage::load,
       Failure::truncated_image,
       {"counter"}},
      {"TruncatedBeforeSectionHeaders",
       [](const fs::path& to) {
         install_truncated(fixtures::counter_v2, to, section_headers_offset(fixtures::counter_v2));
       },
       Stage::load,
       Failure::truncated_image,
       {"counter"}},
      {"AbiMismatch",
       copy(fixtures::counter_abi_mismatch),
       Stage::validate,
       Failure::abi_mismatch,
       {"counter", "module _GLIBCXX_USE_CXX11_ABI=0", "host _GLIBCXX_USE_CXX11_ABI=1"}},
      {"UndefinedSymbol",
       copy(fixtures::counter_undefined),
       Stage::load,
       Failure::open_failed,
       {"counter", "hotmod_missing_symbol"}},
      {"OnLoadThrows",
       copy(fixtures::counter_onload_throws),
       Stage::initialize,
       Failure::on_load_threw,
       {"counter", "refuses to start"},
       true},
      {"SelfTestThrows",
       copy(fixtures::counter_selftest_throws),
       Stage::validate,
       Failure::self_test_failed,
       {"counter", "self-test"}},
      {"MissingCapability",
       copy(fixtures::counter_caps),
       Stage::validate,
       Failure::missing_capability,
       {"counter", "net:listen"}},
      {"MissingInterface",
       copy(fixtures::counter_no_interface),
       Stage::validate,
       Failure::missing_interface,
       {"counter", "counter_fixture::ICounter"}},
      {"DuplicateInterface",
       copy(fixtures::counter_dup_interface),
       Stage::validate,
       Failure::duplicate_interface,
       {"counter", "twice"}},
      {"InterfaceConstructorThrowsNonStd",
       copy(fixtures::counter_ctor_throws),
       Stage::validate,
       Failure::constructor_threw,
       {"counter", "counter_fixture::ICounter", "not a std::exception"}},
      {"StateConstructorThrowsNonStd",
       copy(fixtures::counter_state_ctor_throws),
       Stage::state,
       Failure::constructor_threw,
       {"counter", "ThrowingState", "not a std::exception"}},
  };
}

class RollbackTest : public RuntimeTest, public ::testing::WithParamInterface<Case> {};

TEST_P(RollbackTest, FailedReloadChangesNothing) {
  const Case& c = GetParam();
  install(fixtures::counter_v1);
  std::vector<hotmod::ReloadStats> seen;
  hotmod::RuntimeOptions opts = options();
  opts.capabilities = {"fs:read"};  // not net:listen
  hotmod::Runtime rt(opts);
  hotmod::Module m = load(rt);
  auto ref = rt.ref<ICounter>("counter");  // the host holds ICounter
  ASSERT_TRUE(ref.ok()) << ref.error().message;
  hotmod::Ref<ICounter> counter = ref.value();
  EXPECT_EQ(call_int(m, "increment"), 1);
  EXPECT_EQ(counter->increment(), 2);

  rt.on_reload([&](const hotmod::ReloadStats& s) { seen.push_back(s); });
  EventLog events(rt.bus());
  c.install(modules() / "counter.so");
  hotmod::ReloadStats stats = rt.reload("counter");

  // The failure is named.
  EXPECT_FALSE(stats.success);
  EXPECT_FALSE(stats.pending);
  EXPECT_EQ(stats.module, "counter");
  EXPECT_EQ(stats.stage, c.stage) << hotmod::to_string(stats.stage);
  EXPECT_EQ(stats.failure, c.failure) << hotmod::to_string(stats.failure);
  const std::string text = stats.error + "\n" + stats.diagnostics;
  for (const auto& word : c.mentions) EXPECT_NE(text.find(word), std::string::npos) << text;
  EXPECT_EQ(stats.error.find('\n'), std::string::npos) << "error is one line: " << stats.error;
  EXPECT_EQ(stats.version, "1.0.0") << "the version still running";
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].failure, c.failure);

  // module.reload_failed {name, stage, error, diagnostics}
  auto failed = events.payloads("module.reload_failed");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].value("name", ""), "counter");
  EXPECT_EQ(failed[0].value("stage", ""), hotmod::to_string(c.stage));
  EXPECT_EQ(failed[0].value("error", ""), stats.error);
  EXPECT_TRUE(failed[0].contains("diagnostics"));
  EXPECT_EQ(events.count("module.reloaded"), 0u);

  // The old version still answers, with its state.
  EXPECT_EQ(call_int(m, "version"), 1);
  EXPECT_EQ(counter->version(), 1);
  EXPECT_EQ(call_int(m, "value"), 2);
  EXPECT_EQ(counter->increment(), 3);
  auto info = rt.info("counter");
  EXPECT_EQ(info->version, "1.0.0");
  EXPECT_EQ(info->reload_count, 0u);
  EXPECT_EQ(info->state_type, "counter_fixture::State");

  // Its on_load ran again only when its on_unload had run. The state is the
  // one it had before any hook ran: on_unload's change to it is undone too.
  EXPECT_EQ(events.count("test.on_unload"), c.old_on_load_rerun ? 1u : 0u);
  EXPECT_EQ(call_int(m, "loads"), c.old_on_load_rerun ? 2 : 1);
  EXPECT_EQ(call_int(m, "unloads"), 0);
  if (c.old_on_load_rerun) {
    auto reloads = events.payloads("test.on_load");
    ASSERT_EQ(reloads.size(), 1u);
    EXPECT_EQ(reloads[0]["version"], 1);
  }

  // Its subscriptions are the ones that answer, once; the failed version's are gone.
  events.clear();
  rt.bus().publish("test.ping", hotmod::Value::object());
  auto pongs = events.payloads("test.pong");
  ASSERT_EQ(pongs.size(), 1u);
  EXPECT_EQ(pongs[0]["version"], 1);

  // The runtime is still healthy: a good version goes in, and the copies of
  // the failed one do not linger on disk.
  install(fixtures::counter_v2);
  hotmod::ReloadStats good = rt.reload("counter");
  ASSERT_TRUE(good.success) << good.error;
  EXPECT_EQ(counter->version(), 2);
  EXPECT_EQ(call_int(m, "value"), 3);
  rt.wait_for_unloads();
  EXPECT_EQ(files_under(versions()).size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(EveryFailure, RollbackTest, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& p) {
                           return std::string(p.param.name);
                         });

class FirstLoadTest : public RuntimeTest {};

TEST_F(FirstLoadTest, FailedFirstLoadIsAnErrorNamingTheModule) {
  install(fixtures::counter_onload_throws);
  hotmod::Runtime rt(options());
  EventLog events(rt.bus());
  auto m = rt.module("counter");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("counter"), std::string::npos) << m.error().message;
  EXPECT_FALSE(rt.info("counter")->loaded);
  EXPECT_EQ(events.count("module.loaded"), 0u);

  // Fixing the file makes the next use succeed.
  install(fixtures::counter_v1);
  hotmod::Module fixed = load(rt);
  EXPECT_EQ(call_int(fixed, "version"), 1);
  events.clear();
  rt.bus().publish("test.ping", hotmod::Value::object());
  EXPECT_EQ(events.count("test.pong"), 1u) << "the failed version's subscription is gone";
}

}  // namespace
}  // namespace hotmod_test
