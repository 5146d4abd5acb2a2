// hotmod.state is transactional: a load that fails leaves it exactly as it
// was (contents of every table reachable from it, and which tables those
// are), and a loaded version's snapshot can put it back (restore_state) or
// be dropped once the version is committed (drop_snapshot).
#include <gtest/gtest.h>

#include "fake_hosts.hpp"
#include "script/script_module.hpp"

namespace {

using hotmod::Value;
using hotmod::script::ScriptModule;
using hotmod::script::ScriptVersion;
using VersionPtr = std::shared_ptr<ScriptVersion>;

// The running version: it fills the state, keeps one of its tables in a
// local, and can describe the whole state (keys sorted; tables by content,
// table keys and metatables by identity too).
constexpr const char* kRunning = R"(
local state = hotmod.state
state.items = state.items or {1, 2, 3}
state.nested = state.nested or {inner = {a = 1}, list = {"x"}}
state.key = state.key or {name = "key"}
state.by_table = state.by_table or {[state.key] = "v"}
setmetatable(state.nested, {__name = "nested"})
local items = state.items
local function dump(v, depth)
  if type(v) ~= "table" then
    return type(v) == "string" and string.format("%q", v) or tostring(v)
  end
  if depth > 8 then return "..." end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  local parts = {tostring(v), "mt=" .. tostring(getmetatable(v))}
  for _, k in ipairs(keys) do
    parts[#parts + 1] = "[" .. dump(k, depth + 1) .. "]=" .. dump(v[k], depth + 1)
  end
  return "{" .. table.concat(parts, ",") .. "}"
end
local M = {}
function M.count() return #hotmod.state.items end
function M.captured() return #items end
function M.same() return hotmod.state.items == items end
function M.dump() return dump(hotmod.state, 0) end
return M
)";

// What a new version's chunk does to the state before it fails or returns.
constexpr const char* kMeddle = R"(
local s = hotmod.state
table.insert(s.items, 4)
s.items[1] = "changed"
s.nested.inner.a = 2
s.nested.inner.b = {}
s.nested.list = nil
setmetatable(s.nested, nil)
for k in pairs(s.by_table) do k.touched = true end
s.key.name = nil
s.items = {"a new table"}
s.added = {deep = {1}}
)";

class StateSnapshot : public ::testing::Test {
 protected:
  StateSnapshot() : module("keeper", fake.host()) {
    auto v = module.load(kRunning, "keeper.lua");
    EXPECT_TRUE(v.ok()) << v.error().message;
    if (v.ok()) running = v.value();
    if (running) module.drop_snapshot(*running);
  }

  Value call(std::string_view fn) {
    auto r = module.call(*running, fn, Value::array());
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? r.value() : Value("<failed>");
  }

  // The state as the running version sees it is what `before` says.
  void expect_state(const Value& before, const std::string& what) {
    EXPECT_EQ(call("dump"), before) << what;
    EXPECT_EQ(call("count"), 3) << what;
    EXPECT_EQ(call("captured"), 3) << what;
    EXPECT_EQ(call("same"), true) << what;
  }

  hotmod_test::FakeScriptHost fake;
  ScriptModule module;
  VersionPtr running;
};

TEST_F(StateSnapshot, AFailedLoadLeavesTheStateExactlyAsItWas) {
  ASSERT_TRUE(running);
  const Value before = call("dump");
  const std::string meddle = kMeddle;
  for (const std::string& tail : {std::string("error('half way')"),           // runtime error
                                  std::string("return 'not a table'"),        // bad return
                                  std::string("return {_capabilities = 5}"),  // bad fields
                                  std::string("local x = = 1")})              // syntax
  {
    auto v = module.load(meddle + tail, "keeper.lua");
    EXPECT_FALSE(v.ok()) << tail;
    expect_state(before, tail);
  }
}

TEST_F(StateSnapshot, ALoadedVersionKeepsItsSnapshotUntilDropped) {
  ASSERT_TRUE(running);
  EXPECT_EQ(running->snapshot_ref, 0) << "dropped by the fixture";
  const Value before = call("dump");
  auto v = module.load(std::string(kMeddle) + "return {}", "keeper.lua");
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_GT(v.value()->snapshot_ref, 0);
  EXPECT_NE(call("dump"), before) << "the new version's chunk changed the state";
  module.drop_snapshot(*v.value());
  EXPECT_EQ(v.value()->snapshot_ref, 0);
  module.restore_state(*v.value());  // nothing to restore from: no-op
  EXPECT_EQ(call("count"), 1) << "the new version's items stay";
  EXPECT_EQ(call("captured"), 4);
  EXPECT_EQ(call("same"), false);
}

TEST_F(StateSnapshot, RestoreStateUndoesTheChunkAndWhatRanSince) {
  ASSERT_TRUE(running);
  const Value before = call("dump");
  auto v = module.load(std::string(kMeddle) + R"(
    return {on_load = function() hotmod.state.loaded = true; hotmod.state.nested.inner.c = 3 end,
            more = function() table.insert(hotmod.state.items, "more") end})",
                       "keeper.lua");
  ASSERT_TRUE(v.ok()) << v.error().message;
  ScriptVersion& refused = *v.value();
  ASSERT_TRUE(module.run_hook(refused, "on_load").ok());
  ASSERT_TRUE(module.call(refused, "more", Value::array()).ok());
  module.restore_state(refused);
  EXPECT_EQ(refused.snapshot_ref, 0);
  expect_state(before, "after restore_state");
  module.restore_state(refused);  // a second time: nothing left to restore
  expect_state(before, "after a second restore_state");
  module.release(refused);
}

TEST_F(StateSnapshot, ReleaseDropsTheSnapshot) {
  ASSERT_TRUE(running);
  auto v = module.load("hotmod.state.count = 1 return {}", "keeper.lua");
  ASSERT_TRUE(v.ok()) << v.error().message;
  module.release(*v.value());
  EXPECT_EQ(v.value()->snapshot_ref, 0);
}

// Cycles, shared tables and tables as keys are recorded once each.
TEST_F(StateSnapshot, CyclesAndSharedTablesAreRestored) {
  ASSERT_TRUE(running);
  auto setup = module.load(R"(
    local a, b = {}, {}
    a.b, b.a, a.self = b, a, a
    hotmod.state.a, hotmod.state.also_a = a, a
    hotmod.state.by_key = {[a] = b}
    return {check = function()
      local s = hotmod.state
      return s.a == a and s.also_a == a and a.b == b and b.a == a and a.self == a
        and s.by_key[a] == b and a.extra == nil and b.extra == nil
    end})",
                           "keeper.lua");
  ASSERT_TRUE(setup.ok()) << setup.error().message;
  module.drop_snapshot(*setup.value());
  auto broken = module.load(R"(
    local s = hotmod.state
    s.a.extra, s.a.b.extra = 1, 2
    s.a.self, s.also_a = nil, {}
    s.by_key[s.a] = nil
    error("no"))",
                            "keeper.lua");
  EXPECT_FALSE(broken.ok());
  auto r = module.call(*setup.value(), "check", Value::array());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value(), true);
}

}  // namespace
