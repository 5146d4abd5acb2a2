// reload::Transaction on versions made in memory: a World that hands out
// versions of hand-written ModuleDefs (no file, no compiler, no dlopen) and
// a clock that moves only when told. One table row per path through a
// reload — commit, a version that fails to prepare, on_load throwing and
// the rollback, parking at a safe point — and what each leaves behind:
// which version runs and answers, which hooks ran, what was retired or
// discarded, what the lifecycle remembers, which notice is queued. The
// real-fixture rollback table (tests/integration) is the end-to-end layer
// above this one.
#include "reload/transaction.hpp"

#include <chrono>
#include <deque>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "events/event_bus.hpp"
#include "loader/version_store.hpp"
#include "log/runtime_log.hpp"
#include "printers.hpp"
#include "registry/version.hpp"
#include "reload/module_context.hpp"
#include "reload/thread_frame.hpp"

namespace hotmod::reload {
namespace {

using namespace std::chrono_literals;

class FakeWorld;
FakeWorld* g_world = nullptr;
std::vector<std::string> g_hooks;  // "<version>.load" / "<version>.unload", in order
int g_throwing_on_load = 0;        // the version whose on_load throws; 0: none

class FakeWorld final : public World {
 public:
  FakeWorld() { g_world = this; }
  ~FakeWorld() override { g_world = nullptr; }

  // What the next prepare() does: a version of `def`, or the error.
  struct Next {
    detail::ModuleDef* def = nullptr;
    std::string version;
    Error error;
  };
  std::deque<Next> next;
  std::vector<std::string> discarded;
  std::chrono::nanoseconds prepare_takes{5ms};

  std::shared_ptr<registry::Version> prepare(Host& host, registry::Slot& slot, StageTimes& t,
                                             Error* f, loader::FileSnapshot* read) override {
    Next n = next.front();
    next.pop_front();
    advance(prepare_takes);
    t.copy += prepare_takes;
    read->identity.inode = ++reads_;
    if (n.def == nullptr) {
      *f = n.error;
      return nullptr;
    }
    auto v = std::make_shared<registry::Version>();
    v->generation = registry::next_generation();
    v->module = slot.name();
    v->source.identity = read->identity;
    v->def = n.def;
    v->version = n.version;
    v->context = std::make_unique<ModuleContext>(host, slot.name(), v->generation, nullptr);
    v->context->set_definition(n.def);
    v->backend = registry::native_backend(*n.def);
    return v;
  }
  void discard(registry::Version& v) override { discarded.push_back(v.version); }
  Clock::time_point now() override { return now_; }
  void advance(std::chrono::nanoseconds d) { now_ += d; }

 private:
  Clock::time_point now_{};
  std::uint64_t reads_ = 0;
};

class FakeHost final : public Host {
 public:
  std::vector<std::string> retired;
  std::vector<std::string> logged;

  log::RuntimeLog& log() override { return log_; }
  events::LocalEventBus& bus() override { return bus_; }
  loader::VersionStore& store() override { return store_; }
  bool dev_mode() const override { return true; }
  const RuntimeOptions::Limits& limits() const override { return limits_; }
  RuntimeOptions::Limits limits_;
  bool capability_granted(std::string_view, std::string_view) const override { return true; }
  std::string capability_refusal(std::string_view, std::string_view) const override { return ""; }
  const Value* config_for(const std::string&) const override { return nullptr; }
  void retire(registry::Slot&, std::shared_ptr<registry::Version> v,
              std::vector<registry::StateBox> garbage) override {
    retired.push_back(v->version);
    for (auto& g : garbage) g.destroy();
    keep_.push_back(std::move(v));  // no image to unload: held until the test ends
  }
  std::optional<Error> quarantined(std::string_view, std::uint64_t) override { return {}; }
  void keep_for_rollback(registry::Slot&, const std::shared_ptr<registry::Version>& old) override {
    kept_for_rollback.push_back(old->version);
  }
  std::vector<std::string> kept_for_rollback;
  Result<Module> import(std::string_view, std::uint64_t, std::string_view) override {
    return Error{Stage::import, Failure::unknown_module, "no imports here"};
  }
  Result<std::shared_ptr<const hotmod::detail::InterfaceCell>> import_interface(
      std::string_view, std::uint64_t, std::string_view, std::string_view) override {
    return Error{Stage::import, Failure::unknown_module, "no imports here"};
  }
  Result<Module> module(std::string_view) override {
    return Error{Stage::import, Failure::unknown_module, "no modules here"};
  }
  std::shared_ptr<registry::Slot> find(std::string_view) override { return nullptr; }

 private:
  log::RuntimeLog log_{[this](LogLevel, std::string_view m) { logged.emplace_back(m); },
                       LogLevel::debug};
  events::LocalEventBus bus_;
  loader::VersionStore store_{"/nonexistent/hotmod-transaction-test"};  // never written
  std::vector<std::shared_ptr<registry::Version>> keep_;
};

// Version N's hooks: they log, on_load takes 2 ms of the fake clock, and
// version g_throwing_on_load's on_load throws.
template <int N>
void on_load(Context&) {
  g_hooks.push_back(std::to_string(N) + ".load");
  if (g_world != nullptr) g_world->advance(2ms);
  if (g_throwing_on_load == N) throw std::runtime_error("version " + std::to_string(N) + " boom");
}
template <int N>
void on_unload(Context&) {
  g_hooks.push_back(std::to_string(N) + ".unload");
}
template <int N>
detail::ModuleDef* def() {
  static detail::ModuleDef d = [] {
    detail::ModuleDef m;
    m.on_load = &on_load<N>;
    m.on_unload = &on_unload<N>;
    return m;
  }();
  return &d;
}

std::vector<std::string> take_notices() {
  std::vector<std::string> topics;
  for (const Notice& n : this_thread_frame().outbox) topics.push_back(n.topic);
  this_thread_frame().outbox.clear();
  return topics;
}

class TransactionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    g_hooks.clear();
    g_throwing_on_load = 0;
    this_thread_frame().outbox.clear();
  }
  void TearDown() override { this_thread_frame().outbox.clear(); }

  // Version 1 running, its load's traces cleared.
  void start_v1() {
    world.next.push_back({def<1>(), "1", {}});
    ASSERT_TRUE(run().stats.success);
    g_hooks.clear();
    host.retired.clear();
    take_notices();
  }
  Outcome run(CommitPolicy policy = CommitPolicy::immediate,
              std::chrono::nanoseconds build_time = {}, FileState file = FileState::settled) {
    std::lock_guard lock(slot->mu);
    return Transaction(host, *slot, world).run(policy, build_time, file);
  }
  std::string running() const {
    return slot->life.running() ? slot->life.running()->version : "none";
  }
  std::string answering() const {
    registry::Version* v = slot->current.load();
    return v != nullptr ? v->version : "none";
  }

  FakeWorld world;
  FakeHost host;
  std::shared_ptr<registry::Slot> slot =
      std::make_shared<registry::Slot>("m", ModuleKind::library, "/nonexistent/m.so");
};

// One reload attempt over a running version 1.
struct Row {
  const char* name;
  CommitPolicy policy;
  bool prepares;      // false: the new file fails to open
  int throwing_load;  // the version whose on_load throws (0: none)
  bool success;       // the stats say
  Stage stage;        // where it failed (none on success)
  Failure failure;
  std::string running;               // the slot's running version after
  std::string answering;             // the version calls reach after
  std::vector<std::string> hooks;    // hooks that ran, in order
  std::vector<std::string> retired;  // versions handed to the reaper
  bool remembers_failure;            // the lifecycle says failed()
  std::vector<std::string> notices;  // queued on this thread
  std::uint64_t reload_count;
};

void PrintTo(const Row& row, std::ostream* os) {
  *os << row.name;
}

const std::vector<Row> kRows = {
    {"AGoodVersionReplacesTheRunningOne",
     CommitPolicy::immediate,
     true,
     0,
     true,
     Stage::none,
     Failure::none,
     "2",
     "2",
     {"1.unload", "2.load"},
     {"1"},
     false,
     {"module.reloaded"},
     1},
    {"AVersionThatDoesNotOpenLeavesTheRunningOne",
     CommitPolicy::immediate,
     false,
     0,
     false,
     Stage::load,
     Failure::open_failed,
     "1",
     "1",
     {},
     {},
     true,
     {"module.reload_failed"},
     0},
    {"OnLoadThrowingRollsBackAndRestartsTheOldVersion",
     CommitPolicy::immediate,
     true,
     2,
     false,
     Stage::initialize,
     Failure::on_load_threw,
     "1",
     "1",
     {"1.unload", "2.load", "1.load"},
     {"2"},
     true,
     {"module.reload_failed"},
     0},
    {"SafePointParksTheNewVersionWithoutRunningIt",
     CommitPolicy::safe_point,
     true,
     0,
     true,
     Stage::none,
     Failure::none,
     "1",
     "1",
     {},
     {},
     false,
     {},
     0},
    {"SafePointWithAFileThatDoesNotOpenParksNothing",
     CommitPolicy::safe_point,
     false,
     0,
     false,
     Stage::load,
     Failure::open_failed,
     "1",
     "1",
     {},
     {},
     true,
     {"module.reload_failed"},
     0},
};

class TransactionTable : public TransactionTest, public ::testing::WithParamInterface<Row> {};

TEST_P(TransactionTable, LeavesWhatTheRowSays) {
  const Row& row = GetParam();
  start_v1();
  g_throwing_on_load = row.throwing_load;
  if (row.prepares)
    world.next.push_back({def<2>(), "2", {}});
  else
    world.next.push_back({nullptr, "", {Stage::load, Failure::open_failed, "cannot open"}});
  const Outcome o = run(row.policy);
  EXPECT_EQ(o.stats.success, row.success) << o.stats.error;
  EXPECT_EQ(o.stats.stage, row.stage);
  EXPECT_EQ(o.stats.failure, row.failure);
  EXPECT_FALSE(o.stats.first_load);
  EXPECT_EQ(o.stats.kind, ModuleKind::library);
  EXPECT_EQ(running(), row.running);
  EXPECT_EQ(answering(), row.answering);
  EXPECT_EQ(g_hooks, row.hooks);
  EXPECT_EQ(host.retired, row.retired);
  EXPECT_EQ(slot->life.failed(), row.remembers_failure);
  EXPECT_EQ(take_notices(), row.notices);
  EXPECT_EQ(o.stats.reload_count, row.reload_count);
  EXPECT_EQ(slot->reload_count.load(), row.reload_count);
  const bool parks = row.policy == CommitPolicy::safe_point && row.prepares;
  EXPECT_EQ(o.stats.pending, parks);
  EXPECT_EQ(o.newly_parked, parks);
  EXPECT_EQ(slot->life.parked() != nullptr, parks);
}

INSTANTIATE_TEST_SUITE_P(Transaction, TransactionTable, ::testing::ValuesIn(kRows),
                         [](const auto& row) { return std::string(row.param.name); });

TEST_F(TransactionTest, AFirstLoadCommitsAtOnceEvenAtASafePoint) {
  world.next.push_back({def<1>(), "1", {}});
  const Outcome o = run(CommitPolicy::safe_point);
  EXPECT_TRUE(o.stats.success) << o.stats.error;
  EXPECT_TRUE(o.stats.first_load);
  EXPECT_FALSE(o.stats.pending) << "nothing runs yet, so there is nothing to keep serving";
  EXPECT_EQ(running(), "1");
  EXPECT_EQ(answering(), "1");
  EXPECT_EQ(g_hooks, std::vector<std::string>{"1.load"});
  EXPECT_EQ(take_notices(), std::vector<std::string>{"module.loaded"});
  EXPECT_EQ(o.stats.reload_count, 0u);
  EXPECT_FALSE(slot->life.ever_loaded()) << "the runtime lets lookups see it, after its records";
}

TEST_F(TransactionTest, AFirstLoadWhoseOnLoadThrowsLeavesNothingRunning) {
  g_throwing_on_load = 1;
  world.next.push_back({def<1>(), "1", {}});
  const Outcome o = run();
  EXPECT_FALSE(o.stats.success);
  EXPECT_EQ(o.stats.failure, Failure::on_load_threw);
  EXPECT_NE(o.stats.error.find("version 1 boom"), std::string::npos) << o.stats.error;
  EXPECT_EQ(running(), "none");
  EXPECT_EQ(answering(), "none");
  EXPECT_EQ(host.retired, std::vector<std::string>{"1"});
  EXPECT_TRUE(slot->life.failed());
  EXPECT_TRUE(slot->life.attempted()) << "the watcher retries it when its file changes";
  EXPECT_EQ(take_notices(), std::vector<std::string>{"module.reload_failed"});
}

TEST_F(TransactionTest, AParkedVersionCommitsLaterAndASecondOneDisplacesIt) {
  start_v1();
  world.next.push_back({def<2>(), "2", {}});
  world.next.push_back({def<3>(), "3", {}});
  EXPECT_TRUE(run(CommitPolicy::safe_point).newly_parked);
  const Outcome second = run(CommitPolicy::safe_point);
  EXPECT_FALSE(second.newly_parked) << "the slot is queued for apply_pending() once";
  EXPECT_EQ(second.stats.version, "3");
  EXPECT_EQ(world.discarded, std::vector<std::string>{"2"}) << "displaced, never run";
  EXPECT_TRUE(g_hooks.empty());
  EXPECT_EQ(answering(), "1");

  Outcome committed;
  {
    std::lock_guard lock(slot->mu);
    committed = Transaction(host, *slot, world).commit_parked();
  }
  EXPECT_TRUE(committed.stats.success) << committed.stats.error;
  EXPECT_EQ(committed.stats.version, "3");
  EXPECT_EQ(running(), "3");
  EXPECT_EQ(answering(), "3");
  EXPECT_EQ(g_hooks, (std::vector<std::string>{"1.unload", "3.load"}));
  EXPECT_EQ(host.retired, std::vector<std::string>{"1"});
  EXPECT_EQ(slot->life.parked(), nullptr);
  EXPECT_EQ(take_notices(), std::vector<std::string>{"module.reloaded"});
}

TEST_F(TransactionTest, ASuccessForgetsTheLastFailure) {
  start_v1();
  world.next.push_back({nullptr, "", {Stage::validate, Failure::abi_mismatch, "abi"}});
  world.next.push_back({def<2>(), "2", {}});
  EXPECT_FALSE(run().stats.success);
  EXPECT_TRUE(slot->life.failed());
  EXPECT_TRUE(run().stats.success);
  EXPECT_FALSE(slot->life.failed());
  EXPECT_EQ(running(), "2");
}

TEST_F(TransactionTest, TimesComeFromTheWorldsClock) {
  world.next.push_back({def<1>(), "1", {}});
  const Outcome o = run(CommitPolicy::immediate, 7ms);
  ASSERT_TRUE(o.stats.success) << o.stats.error;
  EXPECT_EQ(o.stats.stages.build, 7ms);
  EXPECT_EQ(o.stats.stages.copy, 5ms);
  EXPECT_EQ(o.stats.stages.hooks, 2ms);
  EXPECT_EQ(o.stats.duration, 14ms) << "build 7 + prepare 5 + on_load 2";
}

TEST_F(TransactionTest, ACompileFailureIsRememberedABuildRuleFailureIsNot) {
  ReloadStats compile;
  compile.stage = Stage::build;
  compile.failure = Failure::build_failed;
  compile.error = "error: expected ';'";
  Outcome o;
  {
    std::lock_guard lock(slot->mu);
    o = Transaction(host, *slot, world)
            .failed_before_prepare(Transaction::Before::build_rule, compile);
  }
  EXPECT_FALSE(o.stats.success);
  EXPECT_TRUE(o.stats.first_load);
  EXPECT_EQ(o.stats.module, "m");
  EXPECT_FALSE(slot->life.attempted()) << "a build rule left the file as it was";
  EXPECT_EQ(take_notices(), std::vector<std::string>{"module.reload_failed"});
  {
    std::lock_guard lock(slot->mu);
    o = Transaction(host, *slot, world)
            .failed_before_prepare(Transaction::Before::compile, compile);
  }
  EXPECT_TRUE(slot->life.failed());
  EXPECT_TRUE(slot->life.attempted()) << "the next edit retries a module that never loaded";
  EXPECT_TRUE(slot->life.file_changed("/nonexistent/m.so")) << "it read nothing";
  EXPECT_EQ(take_notices(), std::vector<std::string>{"module.reload_failed"});
}

TEST_F(TransactionTest, NothingLoadsAgainOnceShutdownStoppedTheSlot) {
  start_v1();
  std::shared_ptr<registry::Version> unloaded;
  {
    std::lock_guard lock(slot->mu);
    unloaded = slot->life.stop();
  }
  world.next.push_back({def<2>(), "2", {}});
  const Outcome o = run();
  EXPECT_FALSE(o.stats.success);
  EXPECT_EQ(o.stats.failure, Failure::shutting_down);
  EXPECT_NE(o.stats.error.find("shutting down"), std::string::npos) << o.stats.error;
  EXPECT_EQ(world.next.size(), 1u) << "nothing was prepared";
  EXPECT_TRUE(g_hooks.empty());
  EXPECT_TRUE(take_notices().empty());
}

// A file reported before its writer closed it may read as anything: a
// failure to prepare it is no attempt (its close is reported next). Once
// closed, the same failure is a failure.
TEST_F(TransactionTest, AFileStillBeingWrittenThatDoesNotPrepareIsNoAttempt) {
  start_v1();
  world.next.push_back(
      {nullptr, "", {Stage::load, Failure::not_shared_object, "no ELF header, only 0 bytes"}});
  world.next.push_back({nullptr, "", {Stage::load, Failure::truncated_image, "cut short"}});
  world.next.push_back({nullptr, "", {Stage::validate, Failure::no_descriptor, "zeros"}});
  for (int i = 0; i < 3; ++i) {
    const Outcome o = run(CommitPolicy::immediate, {}, FileState::maybe_being_written);
    EXPECT_TRUE(o.deferred);
    EXPECT_FALSE(slot->life.failed()) << "nothing remembered";
    EXPECT_TRUE(take_notices().empty()) << "nothing reported";
    EXPECT_EQ(slot->reload_count.load(), 0u);
    EXPECT_EQ(running(), "1");
  }
  world.next.push_back({nullptr, "", {Stage::load, Failure::not_shared_object, "closed"}});
  const Outcome closed = run();
  EXPECT_FALSE(closed.deferred);
  EXPECT_EQ(closed.stats.failure, Failure::not_shared_object);
  EXPECT_EQ(take_notices(), std::vector<std::string>{"module.reload_failed"});
  world.next.push_back({def<2>(), "2", {}});
  EXPECT_TRUE(run(CommitPolicy::immediate, {}, FileState::maybe_being_written).stats.success)
      << "a whole image loads whenever it is reported";
  EXPECT_EQ(running(), "2");
}

TEST(Lifecycle, IllegalTransitionsThrowNamingTheModule) {
  registry::Lifecycle life("counter");
  auto v1 = std::make_shared<registry::Version>();
  auto v2 = std::make_shared<registry::Version>();
  auto expect_illegal = [](auto&& transition, const char* name) {
    try {
      transition();
      ADD_FAILURE() << name << " was allowed";
    } catch (const std::logic_error& e) {
      EXPECT_NE(std::string(e.what()).find("module 'counter'"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    }
  };
  expect_illegal([&] { life.park(v2); }, "park");  // nothing runs
  expect_illegal([&] { life.unpark(); }, "unpark");
  expect_illegal([&] { life.mark_loaded(); }, "mark_loaded");
  expect_illegal([&] { life.file_changed("/nonexistent"); }, "file_changed");
  EXPECT_EQ(life.commit(v1), nullptr);
  EXPECT_EQ(life.park(v2), nullptr);
  expect_illegal([&] { life.commit(v2); }, "commit");  // one is parked
  expect_illegal([&] { life.stop(); }, "stop");
  EXPECT_EQ(life.unpark(), v2);
  EXPECT_EQ(life.commit(v2), v1);
  EXPECT_EQ(life.stop(), v2);
  expect_illegal([&] { life.commit(v1); }, "commit");  // stopped
  expect_illegal([&] { life.fail({}); }, "fail");
}

TEST(Lifecycle, AFailureThatReadTheFileOutlivesALaterCompileFailure) {
  registry::Lifecycle life("m");
  EXPECT_FALSE(life.attempted());
  loader::FileSnapshot read;
  read.identity.inode = 42;
  life.fail(read);
  life.fail_unread();
  EXPECT_TRUE(life.failed());
  // The remembered read (inode 42) is not this file: changed, by identity.
  EXPECT_TRUE(life.file_changed("/"));
  life.forget_failure();
  EXPECT_FALSE(life.failed());
  EXPECT_FALSE(life.attempted());
}

}  // namespace
}  // namespace hotmod::reload
