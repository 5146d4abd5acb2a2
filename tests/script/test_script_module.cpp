// ScriptModule: loading versions, reloading, failed loads, calls, hooks,
// threads and memory.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "fake_hosts.hpp"
#include "printers.hpp"
#include "script/script_module.hpp"

namespace {

using hotmod::Value;
using hotmod::script::ScriptModule;
using hotmod::script::ScriptVersion;
using VersionPtr = std::shared_ptr<ScriptVersion>;

constexpr const char* kGreeter = R"(local M = {_version = "1.2", _description = "Says hello",
  _capabilities = {"net:listen", "lua:io"}}
hotmod.state.greeted = hotmod.state.greeted or 0
function M.greet(who)
  hotmod.state.greeted = hotmod.state.greeted + 1
  return "hello " .. who
end
function M.shout(text, times) return string.rep(text:upper(), times or 1, " ") end
function M.count() return hotmod.state.greeted end
function M.vary(...) return select("#", ...) end
function M.first(a, ...) return a end
function M.echo(v) return v end
function M.nothing() end
function M.two() return 1, 2 end
function M.fail(x) local t = nil; return t.field end
function M.callback() return {cb = function() end} end
function M._helper() return "private" end
function M.on_load() hotmod.state.loaded = (hotmod.state.loaded or 0) + 1 return "loaded" end
function M.on_unload() hotmod.state.unloaded = true end
M.answer = 42
return M
)";

class ScriptModuleTest : public ::testing::Test {
 protected:
  ScriptModuleTest() : module("greeter", fake.host()) {}

  VersionPtr load(const std::string& source) {
    auto v = module.load(source, "greeter.lua");
    EXPECT_TRUE(v.ok()) << hotmod::to_string(v.error().stage) << ": " << v.error().message;
    return v.ok() ? v.value() : nullptr;
  }

  Value call(const ScriptVersion& v, std::string_view fn, const Value& args = Value::array()) {
    auto r = module.call(v, fn, args);
    EXPECT_TRUE(r.ok()) << hotmod::to_string(r.error().stage) << ": " << r.error().message;
    return r.ok() ? r.value() : Value("<failed>");
  }

  hotmod::Error load_error(const std::string& source) {
    auto v = module.load(source, "greeter.lua");
    EXPECT_FALSE(v.ok());
    return v.ok() ? hotmod::Error{} : v.error();
  }

  hotmod_test::FakeScriptHost fake;
  ScriptModule module;
};

TEST_F(ScriptModuleTest, LoadsAndCalls) {
  VersionPtr v = load(kGreeter);
  ASSERT_TRUE(v);
  EXPECT_EQ(module.name(), "greeter");
  EXPECT_EQ(call(*v, "greet", Value::parse(R"(["bob"])")), "hello bob");
  EXPECT_EQ(call(*v, "shout", Value::parse(R"(["hey", 2])")), "HEY HEY");
  EXPECT_EQ(call(*v, "vary", Value(nullptr)), 0);  // null: no arguments
}

TEST_F(ScriptModuleTest, ExportsSortedWithSignaturesAndReservedFields) {
  VersionPtr v = load(kGreeter);
  ASSERT_TRUE(v);
  std::vector<std::string> signatures;
  for (const auto& f : v->functions) signatures.push_back(f.signature);
  EXPECT_EQ(signatures, (std::vector<std::string>{"callback()", "count()", "echo(v)", "fail(x)",
                                                  "first(a, ...)", "greet(who)", "nothing()",
                                                  "shout(text, times)", "two()", "vary(...)"}));
  EXPECT_EQ(v->functions[0].name, "callback");
  EXPECT_EQ(v->version, "1.2");
  EXPECT_EQ(v->description, "Says hello");
  EXPECT_EQ(v->capabilities, (std::vector<std::string>{"net:listen", "lua:io"}));
  EXPECT_TRUE(v->has_on_load);
  EXPECT_TRUE(v->has_on_unload);
}

TEST_F(ScriptModuleTest, PrivateFunctionsAndHooksAreNotCallable) {
  VersionPtr v = load(kGreeter);
  ASSERT_TRUE(v);
  for (const char* name : {"_helper", "on_load", "answer", "missing"}) {
    auto r = module.call(*v, name, Value::array());
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.error().stage, hotmod::Stage::call);
    EXPECT_EQ(
        r.error().message.rfind("module 'greeter' has no function '" + std::string(name) + "'", 0),
        0u)
        << r.error().message;
  }
  auto r = module.call(*v, "gret", Value::array());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("(did you mean 'greet'?); it exports: callback, count,"),
            std::string::npos)
      << r.error().message;
}

TEST_F(ScriptModuleTest, ArgumentsAndResultsConvert) {
  VersionPtr v = load(kGreeter);
  ASSERT_TRUE(v);
  const Value data = Value::parse(R"({"n": 16, "f": 4.0, "list": [1, 2.5, "x"], "ok": true})");
  const Value back = call(*v, "echo", Value::array({data}));
  EXPECT_EQ(back, data);
  EXPECT_TRUE(back["f"].is_number_float());
  EXPECT_TRUE(back["n"].is_number_integer());
  EXPECT_EQ(call(*v, "vary", Value::parse("[1, 2, 3]")), 3);
  EXPECT_EQ(call(*v, "first", Value::parse("[7, 8]")), 7);
}

TEST_F(ScriptModuleTest, FirstResultOnlyAndNoResultIsNull) {
  VersionPtr v = load(kGreeter);
  ASSERT_TRUE(v);
  EXPECT_EQ(call(*v, "two"), 1);
  EXPECT_TRUE(call(*v, "nothing").is_null());
}

TEST_F(ScriptModuleTest, CallErrorsNameModuleFunctionAndLine) {
  VersionPtr v = load(kGreeter);
  ASSERT_TRUE(v);
  auto r = module.call(*v, "fail", Value::array());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().stage, hotmod::Stage::call);
  EXPECT_EQ(
      r.error().message.rfind("module 'greeter': fail: greeter.lua:15: attempt to index a nil "
                              "value (local 't')",
                              0),
      0u)
      << r.error().message;
  EXPECT_NE(r.error().message.find("stack traceback:\n\tgreeter.lua:15: in "), std::string::npos)
      << r.error().message;
  EXPECT_EQ(r.error().message.find("[C]: in ?"), std::string::npos) << r.error().message;

  r = module.call(*v, "callback", Value::array());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "module 'greeter': callback: result: field 'cb' is a function; only nil, booleans, "
            "numbers, strings and tables cross module boundaries");

  r = module.call(*v, "greet", Value::object());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "module 'greeter': greet: the arguments must be a JSON array, not object");
}

TEST_F(ScriptModuleTest, SyntaxErrorIsALoadError) {
  const hotmod::Error e = load_error("local M = {}\nlocal x = = 1\nreturn M\n");
  EXPECT_EQ(e.stage, hotmod::Stage::load);
  EXPECT_EQ(e.failure, hotmod::Failure::open_failed);
  EXPECT_EQ(e.message, "greeter.lua:2: unexpected symbol near '='");
}

TEST_F(ScriptModuleTest, RuntimeErrorIsAnInitializeErrorWithTraceback) {
  const hotmod::Error e = load_error("local M = {}\nerror('boom')\nreturn M\n");
  EXPECT_EQ(e.stage, hotmod::Stage::initialize);
  EXPECT_EQ(e.failure, hotmod::Failure::on_load_threw);
  EXPECT_EQ(e.message.rfind("greeter.lua:2: boom\nstack traceback:", 0), 0u) << e.message;
  EXPECT_NE(e.message.find("greeter.lua:2: in main chunk"), std::string::npos) << e.message;
}

TEST_F(ScriptModuleTest, ChunkMustReturnATable) {
  hotmod::Error e = load_error("return 42");
  EXPECT_EQ(e.stage, hotmod::Stage::validate);
  EXPECT_EQ(e.failure, hotmod::Failure::no_descriptor);
  EXPECT_EQ(e.message,
            "greeter.lua: the chunk must return a table of functions, returned a number");
  e = load_error("local x = 1");
  EXPECT_EQ(e.message, "greeter.lua: the chunk must return a table of functions, returned nil");
  e = load_error("return {_capabilities = 'lua:io'}");
  EXPECT_EQ(e.message, "greeter.lua: _capabilities must be a list of strings");
}

TEST_F(ScriptModuleTest, StateIsTheSameTableAcrossReloads) {
  VersionPtr v1 = load(kGreeter);
  ASSERT_TRUE(v1);
  call(*v1, "greet", Value::parse(R"(["a"])"));
  call(*v1, "greet", Value::parse(R"(["b"])"));
  VersionPtr v2 = load(R"(
    local M = {}
    hotmod.state.list = hotmod.state.list or {}
    table.insert(hotmod.state.list, "v2")
    function M.count() return hotmod.state.greeted * 10 end
    function M.list() return hotmod.state.list end
    return M)");
  ASSERT_TRUE(v2);
  module.release(*v1);
  EXPECT_EQ(call(*v2, "count"), 20);
  VersionPtr v3 = load("local M = {} function M.list() return hotmod.state.list end return M");
  ASSERT_TRUE(v3);
  EXPECT_EQ(call(*v3, "list"), Value::parse(R"(["v2"])"));
}

TEST_F(ScriptModuleTest, FailedLoadsLeaveTheRunningVersionUntouched) {
  VersionPtr v1 = load(R"(
    local M = {}
    count = 1
    function M.bump() count = count + 1 return count end
    return M)");
  ASSERT_TRUE(v1);
  EXPECT_EQ(call(*v1, "bump"), 2);
  int expected = 2;
  for (const char* broken : {"count = 100 local M = {",            // syntax
                             "count = 100 error('half way')",      // runtime
                             "count = 100 return 'not a table'",   // bad return
                             "count = 100 return {on_load = 1}"})  // bad hook
  {
    EXPECT_FALSE(module.load(broken, "greeter.lua").ok()) << broken;
    EXPECT_EQ(call(*v1, "bump"), ++expected) << broken;
  }
  // A version that loads has its own globals too.
  VersionPtr v2 = load("count = 100 return {get = function() return count end}");
  ASSERT_TRUE(v2);
  EXPECT_EQ(call(*v1, "bump"), ++expected);
  EXPECT_EQ(call(*v2, "get"), 100);
}

TEST_F(ScriptModuleTest, HooksRunThroughRunHook) {
  VersionPtr v = load(kGreeter);
  ASSERT_TRUE(v);
  auto r = module.run_hook(*v, "on_load");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value(), "loaded");
  ASSERT_TRUE(module.run_hook(*v, "on_unload").ok());

  VersionPtr plain = load("return {f = function() return hotmod.state.loaded end}");
  ASSERT_TRUE(plain);
  EXPECT_TRUE(module.run_hook(*plain, "on_load").value().is_null());
  EXPECT_EQ(call(*plain, "f"), 1);

  VersionPtr broken = load("local M = {}\nfunction M.on_load()\n  error('no db')\nend\nreturn M");
  ASSERT_TRUE(broken);
  r = module.run_hook(*broken, "on_load");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().stage, hotmod::Stage::initialize);
  EXPECT_EQ(r.error().message.rfind("module 'greeter': on_load: greeter.lua:3: no db", 0), 0u)
      << r.error().message;
}

TEST_F(ScriptModuleTest, ReleasedVersionsAreNoLongerCallable) {
  VersionPtr v = load(kGreeter);
  ASSERT_TRUE(v);
  module.release(*v);
  auto r = module.call(*v, "greet", Value::parse(R"(["x"])"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "module 'greeter': greet: the function is no longer in the module's table");
}

TEST_F(ScriptModuleTest, CallsFromFourThreadsAtOnce) {
  VersionPtr v = load(R"(
    local M = {}
    function M.add(a, b)
      local t = {}
      for i = 1, 10 do t[i] = a + b end
      hotmod.state.calls = (hotmod.state.calls or 0) + 1
      return t[10]
    end
    function M.calls() return hotmod.state.calls end
    return M)");
  ASSERT_TRUE(v);
  constexpr int kThreads = 4, kCalls = 500;
  std::vector<int> wrong(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCalls; ++i) {
        auto r = module.call(*v, "add", Value::array({t, i}));
        if (!r.ok() || r.value() != t + i) ++wrong[static_cast<std::size_t>(t)];
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong, std::vector<int>(kThreads, 0));
  EXPECT_EQ(call(*v, "calls"), kThreads * kCalls);
}

TEST_F(ScriptModuleTest, HeapBytesFollowTheAllocator) {
  VersionPtr v = load(R"(
    local M = {}
    function M.fill() local t = {} for i = 1, 100000 do t[i] = i * 1.5 end hotmod.state.big = t end
    function M.clear() hotmod.state.big = nil collectgarbage() collectgarbage() end
    return M)");
  ASSERT_TRUE(v);
  call(*v, "clear");
  const std::uint64_t before = module.heap_bytes();
  EXPECT_GT(before, 0u);
  call(*v, "fill");
  const std::uint64_t filled = module.heap_bytes();
  EXPECT_GT(filled, before + 100000 * 16 - 1);  // the array part alone
  call(*v, "clear");
  const std::uint64_t cleared = module.heap_bytes();
  EXPECT_LT(cleared, before + 4096);
}

TEST_F(ScriptModuleTest, StateBytesCountWhatStateReaches) {
  VersionPtr v = load(R"(
    local M = {}
    function M.text() hotmod.state.text = string.rep("x", 1000) end
    function M.share() local t = {string.rep("y", 1000)} hotmod.state.a = t hotmod.state.b = t end
    function M.clear() for k in pairs(hotmod.state) do hotmod.state[k] = nil end end
    return M)");
  ASSERT_TRUE(v);
  const std::uint64_t empty = module.state_bytes();
  EXPECT_GE(empty, 56u);
  EXPECT_LT(empty, 200u);
  call(*v, "text");
  EXPECT_GE(module.state_bytes(), 1000u + empty);
  call(*v, "clear");
  call(*v, "share");
  const std::uint64_t shared = module.state_bytes();
  EXPECT_GE(shared, 1000u);
  EXPECT_LT(shared, 1500u);  // the shared table and its string counted once
}

// The size bench/script_bench.cpp times (script_reload_ms_p50): loaded,
// released and loaded again, every function exported each time.
TEST_F(ScriptModuleTest, TwoHundredLineModuleLoadsAgainAndAgain) {
  std::string source = "local M = {_version = '1'}\n";
  for (int i = 0; i < 66; ++i) {
    const std::string n = std::to_string(i);
    source +=
        "function M.f" + n + "(a, b)\n  local s = (a or 0) + (b or " + n + ")\n  return s\nend\n";
  }
  source += "return M\n";
  ASSERT_GE(std::count(source.begin(), source.end(), '\n'), 200);
  for (int i = 0; i < 21; ++i) {
    VersionPtr v = load(source);
    ASSERT_TRUE(v);
    ASSERT_EQ(v->functions.size(), 66u);
    EXPECT_EQ(call(*v, "f7", {1, 2}), 3);
    module.release(*v);
  }
}

}  // namespace

namespace {

// A module's interpreter under limits: a runaway loop or allocation stops
// the call that ran into it, names the limit and its key, and leaves the
// module answering.
class ScriptLimitsTest : public ::testing::Test {
 protected:
  hotmod_test::FakeScriptHost fake;
  ScriptModule module{"spin", fake.host(),
                      hotmod::script::ScriptLimits{5'000'000, std::uint64_t{32} << 20}};
};

constexpr const char* kRunaway = R"(local M = {}
function M.spin() while true do end end
function M.caught() while true do pcall(function() while true do end end) end end
function M.hog() local t = {} for i = 1, 1e9 do t[i] = string.rep("x", 1000) .. i end end
function M.fine(n) local s = 0 for i = 1, n do s = s + i end return s end
function M.some(n) return #string.rep("y", n) end
function M.on_load() if hotmod.state.stuck then while true do end end end
return M
)";

TEST_F(ScriptLimitsTest, ARunawayLoopIsStoppedAndTheModuleStillAnswers) {
  auto v = module.load(kRunaway, "spin.lua");
  ASSERT_TRUE(v.ok()) << v.error().message;
  for (const char* runaway : {"spin", "caught"}) {
    auto r = module.call(**v, runaway, Value::array());
    ASSERT_FALSE(r.ok()) << runaway;
    EXPECT_EQ(r.error().failure, hotmod::Failure::timed_out) << r.error().message;
    EXPECT_NE(r.error().message.find("module 'spin': "), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("ran more than 5000000 Lua instructions"), std::string::npos)
        << r.error().message;
    EXPECT_NE(r.error().message.find("limits.script_instructions"), std::string::npos);
    auto fine = module.call(**v, "fine", Value::array({100}));
    ASSERT_TRUE(fine.ok()) << fine.error().message;
    EXPECT_EQ(*fine, 5050) << "the budget starts again with each call";
  }
}

TEST_F(ScriptLimitsTest, MemoryPastTheLimitStopsTheCallAndIsGivenBack) {
  auto v = module.load(kRunaway, "spin.lua");
  ASSERT_TRUE(v.ok()) << v.error().message;
  auto r = module.call(**v, "hog", Value::array());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().failure, hotmod::Failure::timed_out) << r.error().message;
  EXPECT_NE(r.error().message.find("would hold more than 32 MB"), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("limits.script_memory_mb"), std::string::npos);
  auto fine = module.call(**v, "fine", Value::array({10}));
  ASSERT_TRUE(fine.ok()) << fine.error().message;
  EXPECT_EQ(*fine, 55);
  auto again = module.call(**v, "some", Value::array({4 << 20}));
  ASSERT_TRUE(again.ok()) << "what the stopped call held was given back: " << again.error().message;
  EXPECT_EQ(*again, 4 << 20);
}

TEST_F(ScriptLimitsTest, AHookThatNeverReturnsIsStoppedAsOverItsLimit) {
  auto v = module.load("hotmod.state.stuck = true\n" + std::string(kRunaway), "spin.lua");
  ASSERT_TRUE(v.ok()) << v.error().message;
  auto r = module.run_hook(**v, "on_load");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().failure, hotmod::Failure::timed_out) << r.error().message;
  EXPECT_NE(r.error().message.find("module 'spin': on_load: ran more than"), std::string::npos)
      << r.error().message;
}

TEST_F(ScriptLimitsTest, AChunkThatNeverReturnsFailsToLoad) {
  auto v = module.load("while true do end return {}", "spin.lua");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().failure, hotmod::Failure::timed_out) << v.error().message;
  EXPECT_NE(v.error().message.find("spin.lua: ran more than"), std::string::npos)
      << v.error().message;
}

}  // namespace
