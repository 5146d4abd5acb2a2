// reload/state_handover: with hand-made StateDefs (what HOTMOD_STATE would
// register), the four ways state passes to a new version — construct, keep,
// reset, migrate — and a failed migration that leaves nothing behind.
// Constructions and destructions are counted so every test can check that
// what it built was destroyed exactly once.
#include "reload/state_handover.hpp"

#include <new>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>

#include "printers.hpp"

namespace hotmod::reload {
namespace {

int g_constructed = 0;
int g_destroyed = 0;

// Version 1 of a module's state.
struct Tally {
  int value = 7;
  Tally() { ++g_constructed; }
  Tally(const Tally& o) : value(o.value) { ++g_constructed; }
  Tally& operator=(const Tally&) = delete;
  ~Tally() { ++g_destroyed; }
};

// Version 2: another layout.
struct alignas(16) TallyV2 {
  long long value = 1;
  int extra = 2;
  TallyV2() { ++g_constructed; }
  TallyV2(const TallyV2&) = delete;
  TallyV2& operator=(const TallyV2&) = delete;
  ~TallyV2() { ++g_destroyed; }
};

template <class S>
detail::StateDef def_of(const char* type, std::uint32_t schema, std::uint64_t fingerprint) {
  detail::StateDef d;
  d.type = type;
  d.size = sizeof(S);
  d.align = alignof(S);
  d.schema = schema;
  d.fingerprint = fingerprint;
  d.construct = [](void* p) { new (p) S(); };
  d.destroy = [](void* p) { static_cast<S*>(p)->~S(); };
  if constexpr (std::is_copy_constructible_v<S>)
    d.copy = [](void* dst, const void* src) { new (dst) S(*static_cast<const S*>(src)); };
  return d;
}

const detail::StateDef kTally = def_of<Tally>("Tally", 1, 0x1111);
const detail::StateDef kTallyV2 = def_of<TallyV2>("TallyV2", 2, 0x2222);

struct Line {
  LogLevel level;
  std::string text;
};

class StateHandover : public ::testing::Test {
 protected:
  void SetUp() override {
    g_constructed = 0;
    g_destroyed = 0;
  }
  void TearDown() override {
    current_.destroy();
    EXPECT_EQ(g_constructed, g_destroyed) << "every object made is destroyed exactly once";
  }

  // The state the running version has, with `value` in it.
  template <class S = Tally>
  void running(const detail::StateDef& def, int value) {
    current_ = registry::StateBox::construct(def);
    static_cast<S*>(current_.data)->value = value;
  }
  bool hand_over_to(const detail::ModuleDef& next) {
    return hand_over(log_, "counter", current_, next, &h_, &f_);
  }
  static detail::ModuleDef with_state(const detail::StateDef& def) {
    detail::ModuleDef m;
    m.state = def;
    return m;
  }

  std::vector<Line> lines_;
  log::RuntimeLog log_{[this](LogLevel l, std::string_view m) {
                         lines_.push_back({l, std::string(m)});
                       },
                       LogLevel::trace};
  registry::StateBox current_;
  Handover h_;
  Error f_;
};

TEST_F(StateHandover, FirstLoadConstructsTheState) {
  ASSERT_TRUE(hand_over_to(with_state(kTally)));
  ASSERT_FALSE(h_.next.empty());
  EXPECT_TRUE(h_.replaced);
  EXPECT_FALSE(h_.restored);
  EXPECT_TRUE(h_.snapshot.empty());
  EXPECT_EQ(static_cast<Tally*>(h_.next.data)->value, 7);
  EXPECT_EQ(g_constructed, 1);
  EXPECT_TRUE(lines_.empty());
  h_.next.destroy();
}

TEST_F(StateHandover, SameFingerprintKeepsTheObjectAndSnapshotsIt) {
  running(kTally, 42);
  detail::StateDef new_image = def_of<Tally>("Tally", 1, kTally.fingerprint);
  new_image.destroy = [](void* p) { static_cast<Tally*>(p)->~Tally(); };  // the new image's own
  ASSERT_TRUE(hand_over_to(with_state(new_image)));

  EXPECT_EQ(h_.next.data, current_.data) << "kept in place";
  EXPECT_EQ(h_.next.def.destroy, new_image.destroy) << "the new image destroys it from now on";
  EXPECT_FALSE(h_.replaced);
  EXPECT_TRUE(h_.restored);
  ASSERT_FALSE(h_.snapshot.empty());
  EXPECT_NE(h_.snapshot.data, current_.data);
  EXPECT_EQ(static_cast<Tally*>(h_.snapshot.data)->value, 42);
  EXPECT_EQ(g_constructed, 2);
  EXPECT_TRUE(lines_.empty());
  h_.snapshot.destroy();
}

TEST_F(StateHandover, SameFingerprintWithoutCopyKeepsTheObjectWithoutSnapshot) {
  detail::StateDef not_copyable = kTally;
  not_copyable.copy = nullptr;
  running(not_copyable, 42);
  ASSERT_TRUE(hand_over_to(with_state(not_copyable)));
  EXPECT_EQ(h_.next.data, current_.data);
  EXPECT_TRUE(h_.restored);
  EXPECT_TRUE(h_.snapshot.empty());
  EXPECT_EQ(g_constructed, 1);
}

TEST_F(StateHandover, ChangedLayoutWithoutMigrateResetsAndWarns) {
  running(kTally, 42);
  ASSERT_TRUE(hand_over_to(with_state(kTallyV2)));
  ASSERT_FALSE(h_.next.empty());
  EXPECT_NE(h_.next.data, current_.data);
  EXPECT_TRUE(h_.replaced);
  EXPECT_FALSE(h_.restored);
  EXPECT_EQ(static_cast<TallyV2*>(h_.next.data)->value, 1) << "the new type's default";
  EXPECT_EQ(static_cast<Tally*>(current_.data)->value, 42) << "the old object is left alone";
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_EQ(lines_[0].level, LogLevel::warn);
  EXPECT_EQ(lines_[0].text,
            "state of module 'counter' changed layout from Tally (size 4, align 4, schema 1) to "
            "TallyV2 (size 16, align 16, schema 2) and the module has no HOTMOD_MIGRATE hook: "
            "state reset to its default");
  h_.next.destroy();
}

OldState g_old_seen;

TEST_F(StateHandover, ChangedLayoutWithMigrateCallsTheHook) {
  running(kTally, 42);
  detail::ModuleDef next = with_state(kTallyV2);
  next.migrate = [](const OldState& old, void* fresh) {
    g_old_seen = old;
    const Tally* v1 = old.as<Tally>();
    if (v1 == nullptr) throw std::runtime_error("not a Tally");
    static_cast<TallyV2*>(fresh)->value = v1->value * 10;
  };
  ASSERT_TRUE(hand_over_to(next)) << f_.message;

  EXPECT_TRUE(h_.replaced);
  EXPECT_TRUE(h_.restored);
  EXPECT_EQ(static_cast<TallyV2*>(h_.next.data)->value, 420);
  EXPECT_EQ(g_old_seen.type, "Tally");
  EXPECT_EQ(g_old_seen.size, sizeof(Tally));
  EXPECT_EQ(g_old_seen.align, alignof(Tally));
  EXPECT_EQ(g_old_seen.schema, 1u);
  EXPECT_EQ(g_old_seen.data, current_.data);
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_EQ(lines_[0].level, LogLevel::info);
  EXPECT_NE(lines_[0].text.find("migrated from Tally (size 4"), std::string::npos);
  h_.next.destroy();
}

TEST_F(StateHandover, ThrowingMigrateFailsAndLeavesNothingAllocated) {
  running(kTally, 42);
  detail::ModuleDef next = with_state(kTallyV2);
  next.migrate = [](const OldState&, void*) { throw std::runtime_error("bad data"); };
  EXPECT_FALSE(hand_over_to(next));

  EXPECT_EQ(f_.failure, Failure::migration_failed);
  EXPECT_EQ(f_.stage, Stage::state);
  EXPECT_EQ(f_.message,
            "module 'counter': migrating state from Tally (size 4, align 4, schema 1) threw: "
            "bad data");
  EXPECT_TRUE(h_.next.empty());
  EXPECT_EQ(g_constructed, 2);
  EXPECT_EQ(g_destroyed, 1) << "the new object is gone, the old one untouched";
  EXPECT_EQ(static_cast<Tally*>(current_.data)->value, 42);
}

TEST_F(StateHandover, MigrateThrowingANonExceptionFailsToo) {
  running(kTally, 42);
  detail::ModuleDef next = with_state(kTallyV2);
  next.migrate = [](const OldState&, void*) { throw 7; };
  EXPECT_FALSE(hand_over_to(next));
  EXPECT_EQ(f_.failure, Failure::migration_failed);
  EXPECT_NE(f_.message.find("threw: an exception that is not a std::exception"), std::string::npos)
      << f_.message;
  EXPECT_TRUE(h_.next.empty());
  EXPECT_EQ(g_destroyed, 1);
}

TEST_F(StateHandover, NewVersionWithoutStateReplacesTheOld) {
  running(kTally, 42);
  ASSERT_TRUE(hand_over_to(detail::ModuleDef{}));
  EXPECT_TRUE(h_.replaced) << "the old state is retired";
  EXPECT_TRUE(h_.next.empty());

  registry::StateBox none;
  Handover fresh;
  ASSERT_TRUE(hand_over(log_, "counter", none, detail::ModuleDef{}, &fresh, &f_));
  EXPECT_FALSE(fresh.replaced);
}

// A state type whose default constructor throws. That is module code, like a
// migrate hook, so it ends in a Failure the host can act on, with the
// exception's message, and frees the storage it took.
struct ThrowsOnConstruction {
  ThrowsOnConstruction() { throw std::runtime_error("cannot start"); }
};

TEST_F(StateHandover, ThrowingStateConstructorIsAFailureNotAnException) {
  const detail::StateDef def = def_of<ThrowsOnConstruction>("ThrowsOnConstruction", 1, 0x3333);
  bool ok = true;
  EXPECT_NO_THROW(ok = hand_over_to(with_state(def)));
  EXPECT_FALSE(ok);
  EXPECT_NE(f_.failure, Failure::none);
  EXPECT_NE(f_.message.find("module 'counter'"), std::string::npos) << f_.message;
  EXPECT_NE(f_.message.find("cannot start"), std::string::npos) << f_.message;
  EXPECT_TRUE(h_.next.empty());
}

// Same layout, kept in place, but the snapshot's copy constructor throws: a
// Failure, and the running object is left as it was.
struct CopyThrows {
  int value = 7;
  CopyThrows() { ++g_constructed; }
  CopyThrows(const CopyThrows&) { throw std::runtime_error("cannot copy"); }
  CopyThrows& operator=(const CopyThrows&) = delete;
  ~CopyThrows() { ++g_destroyed; }
};

TEST_F(StateHandover, ThrowingStateCopyIsAFailureNotAnException) {
  const detail::StateDef def = def_of<CopyThrows>("CopyThrows", 1, 0x4444);
  running<CopyThrows>(def, 42);
  bool ok = true;
  EXPECT_NO_THROW(ok = hand_over_to(with_state(def)));
  EXPECT_FALSE(ok);
  EXPECT_NE(f_.failure, Failure::none);
  EXPECT_NE(f_.message.find("cannot copy"), std::string::npos) << f_.message;
  EXPECT_TRUE(h_.snapshot.empty());
  EXPECT_EQ(static_cast<CopyThrows*>(current_.data)->value, 42);
}

}  // namespace
}  // namespace hotmod::reload
