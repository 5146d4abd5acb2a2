// hotmod.import: proxies that reach the host at call time.
#include <gtest/gtest.h>

#include "fake_hosts.hpp"
#include "script/script_module.hpp"

namespace {

using hotmod::Value;
using hotmod::script::ScriptModule;
using hotmod::script::ScriptVersion;

constexpr const char* kUser = R"(local strings = hotmod.import("utils.strings")
local M = {}
function M.up(x) return strings.upper(x) end
function M.up_method(x) return strings:upper(x) end
function M.call(name, ...) return strings[name](...) end
function M.pass_function() return strings.upper(print) end
function M.names() local t = {} for k in pairs(strings) do t[#t + 1] = k end table.sort(t) return t end
return M
)";

class ScriptImports : public ::testing::Test {
 protected:
  ScriptImports() {
    fake.modules.functions["utils.strings"] = {"lower", "upper"};
    module = std::make_unique<ScriptModule>("user", fake.host());
    auto v = module->load(kUser, "user.lua");
    EXPECT_TRUE(v.ok()) << v.error().message;
    if (v.ok()) version = v.value();
  }

  hotmod::Result<Value> call(std::string_view fn, const Value& args) {
    return module->call(*version, fn, args);
  }

  hotmod_test::FakeScriptHost fake;
  std::unique_ptr<ScriptModule> module;
  std::shared_ptr<ScriptVersion> version;
};

TEST_F(ScriptImports, ImportIsRecordedAndListsFunctions) {
  ASSERT_TRUE(version);
  EXPECT_EQ(fake.modules.imports, std::vector<std::string>{"utils.strings"});
  EXPECT_EQ(call("names", Value::array()).value(), Value::parse(R"(["lower", "upper"])"));
}

TEST_F(ScriptImports, ProxyFunctionsCallTheHostAtCallTime) {
  ASSERT_TRUE(version);
  fake.modules.answer = [](const hotmod_test::Call&) { return hotmod::Result<Value>(Value("A1")); };
  EXPECT_EQ(call("up", Value::parse(R"(["a"])")).value(), "A1");
  fake.modules.answer = [](const hotmod_test::Call&) { return hotmod::Result<Value>(Value("A2")); };
  EXPECT_EQ(call("up", Value::parse(R"(["a"])")).value(), "A2");
  EXPECT_EQ(call("up_method", Value::parse(R"(["b"])")).value(), "A2");

  ASSERT_EQ(fake.modules.calls.size(), 3u);
  for (const auto& c : fake.modules.calls) {
    EXPECT_EQ(c.module, "utils.strings");
    EXPECT_EQ(c.function, "upper");
  }
  EXPECT_EQ(fake.modules.calls[0].args, Value::parse(R"(["a"])"));
  EXPECT_EQ(fake.modules.calls[2].args, Value::parse(R"(["b"])"));  // not the proxy itself
}

TEST_F(ScriptImports, ResultsCrossAsLuaValues) {
  ASSERT_TRUE(version);
  fake.modules.answer = [](const hotmod_test::Call& c) {
    return hotmod::Result<Value>(Value::object({{"args", c.args}, {"f", 4.0}}));
  };
  EXPECT_EQ(call("call", Value::parse(R"(["lower", 1, 2.5, {"k": [true]}])")).value(),
            Value::parse(R"({"args": [1, 2.5, {"k": [true]}], "f": 4.0})"));
}

TEST_F(ScriptImports, UnknownFunctionsNameTheExportedOnes) {
  ASSERT_TRUE(version);
  auto r = call("call", Value::parse(R"(["uper"])"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("user.lua:5: module 'utils.strings' has no function 'uper' "
                                   "(did you mean 'upper'?); it exports: lower, upper"),
            std::string::npos)
      << r.error().message;
}

TEST_F(ScriptImports, FunctionsAddedByAReloadAreReached) {
  ASSERT_TRUE(version);
  fake.modules.functions["utils.strings"].push_back("title");
  ASSERT_TRUE(call("call", Value::parse(R"(["title", "x"])")).ok());
  EXPECT_EQ(fake.modules.calls.back().function, "title");
}

TEST_F(ScriptImports, HostErrorsBecomeLuaErrorsAtTheCallSite) {
  ASSERT_TRUE(version);
  fake.modules.answer = [](const hotmod_test::Call&) {
    return hotmod::Result<Value>(hotmod::Error{hotmod::Stage::call, hotmod::Failure::function_threw,
                                               "utils.strings.upper threw: bad input"});
  };
  auto r = call("up", Value::parse(R"(["a"])"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.rfind("module 'user': up: user.lua:3: utils.strings.upper threw: "
                                    "bad input",
                                    0),
            0u)
      << r.error().message;
}

TEST_F(ScriptImports, FunctionsCannotBePassed) {
  ASSERT_TRUE(version);
  auto r = call("pass_function", Value::array());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("user.lua:6: utils.strings.upper: argument 1 is a function; "
                                   "only nil, booleans, numbers, strings and tables cross module "
                                   "boundaries"),
            std::string::npos)
      << r.error().message;
  EXPECT_TRUE(fake.modules.calls.empty());
}

// A proxy's metatable is not given out, so a script cannot call its
// __index with a table of its own whose metatable claims to hold the C++
// call (a full userdata in place of the pointer corrupted memory).
TEST_F(ScriptImports, ProxiesCannotBeForged) {
  fake.granted.insert("lua:io");
  ScriptModule forger("forger", fake.host());
  auto v = forger.load(R"(local strings = hotmod.import("utils.strings")
local M = {}
function M.metatable() return getmetatable(strings) end
function M.forge()
  local fake = setmetatable({}, {__hotmod_call = io.stdout, __hotmod_module = "utils.strings"})
  local mt = getmetatable(strings)
  local f = mt.__index(fake, "upper")
  return f("x")
end
function M.relock() return setmetatable(strings, nil) end
return M
)",
                       "forger.lua");
  ASSERT_TRUE(v.ok()) << v.error().message;
  auto r = forger.call(*v.value(), "metatable", Value::array());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value(), "locked");
  r = forger.call(*v.value(), "forge", Value::array());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("forger.lua:7: attempt to call a nil value (field '__index')"),
            std::string::npos)
      << r.error().message;
  r = forger.call(*v.value(), "relock", Value::array());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("cannot change a protected metatable"), std::string::npos)
      << r.error().message;
  EXPECT_TRUE(fake.modules.calls.empty());
}

TEST_F(ScriptImports, ImportingAnUnknownModuleFailsTheLoad) {
  auto v = module->load("local x = hotmod.import('nope')\nreturn {}", "user.lua");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().stage, hotmod::Stage::initialize);
  EXPECT_EQ(v.error().message.rfind("user.lua:1: no module named 'nope'", 0), 0u)
      << v.error().message;
}

}  // namespace
