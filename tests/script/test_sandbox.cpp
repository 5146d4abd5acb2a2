// What a script module's chunk can reach: libraries, capabilities, hotmod.*.
#include <gtest/gtest.h>

#include "fake_hosts.hpp"
#include "script/script_module.hpp"

namespace {

using hotmod::LogLevel;
using hotmod::Value;
using hotmod::script::ScriptModule;

class Sandbox : public ::testing::Test {
 protected:
  // Loads `body` as the function f of module "greeter" and calls it.
  hotmod::Result<Value> run(const std::string& body, const Value& args = Value::array()) {
    module = std::make_unique<ScriptModule>("greeter", fake.host());
    auto v = module->load("local M = {}\nfunction M.f(...)\n" + body + "\nend\nreturn M\n",
                          "greeter.lua");
    if (!v.ok()) return v.error();
    return module->call(*v.value(), "f", args);
  }

  Value value(const std::string& body) {
    auto r = run(body);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? r.value() : Value("<failed>");
  }

  std::string error(const std::string& body) {
    auto r = run(body);
    EXPECT_FALSE(r.ok());
    return r.ok() ? "" : r.error().message;
  }

  hotmod_test::FakeScriptHost fake;
  std::unique_ptr<ScriptModule> module;
};

TEST_F(Sandbox, IoAndOsNeedTheirCapability) {
  std::string e = error("return io.open('/etc/hostname')");
  EXPECT_EQ(e.rfind("module 'greeter': f: greeter.lua:3: module 'greeter' needs capability "
                    "'lua:io' to use io.open; grant it in hotmod.json: \"capabilities\": "
                    "{\"greeter\": [\"lua:io\"]}",
                    0),
            0u)
      << e;
  e = error("return os.time()");
  EXPECT_NE(
      e.find("greeter.lua:3: module 'greeter' needs capability 'lua:os' to use os.time; grant "
             "it in hotmod.json: \"capabilities\": {\"greeter\": [\"lua:os\"]}"),
      std::string::npos)
      << e;
  EXPECT_EQ(value("return type(io)"), "table");  // present, so `if io then` does not lie
}

TEST_F(Sandbox, TouchingIoWhileLoadingFailsTheLoad) {
  ScriptModule m("greeter", fake.host());
  auto v = m.load("local now = os.clock()\nreturn {}", "greeter.lua");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().stage, hotmod::Stage::initialize);
  EXPECT_EQ(v.error().message.rfind("greeter.lua:1: module 'greeter' needs capability 'lua:os' "
                                    "to use os.clock",
                                    0),
            0u)
      << v.error().message;
}

TEST_F(Sandbox, GrantedIoAndOsAreThere) {
  fake.granted = {"lua:io", "lua:os"};
  EXPECT_EQ(value("return {type(io.open), type(io.lines), type(os.time()), type(os.getenv)}"),
            Value::parse(R"(["function", "function", "number", "function"])"));
  fake.granted = {"lua:os"};
  EXPECT_EQ(value("return type(os.time())"), "number");
  EXPECT_NE(error("return io.lines").find("needs capability 'lua:io' to use io.lines"),
            std::string::npos);
}

TEST_F(Sandbox, NoDebugPackageRequireDofileLoadfile) {
  EXPECT_EQ(value("return {type(debug), type(package), type(require), type(dofile), "
                  "type(loadfile), type(_G.debug), type(string.dump)}"),
            Value::parse(R"(["nil", "nil", "nil", "nil", "nil", "nil", "function"])"));
  EXPECT_EQ(value("return {type(string), type(table), type(math), type(utf8), type(coroutine), "
                  "type(pcall), type(setmetatable), _G == _ENV, _VERSION}"),
            Value::parse(R"(["table", "table", "table", "table", "table", "function",
                             "function", true, "Lua 5.4"])"));
}

TEST_F(Sandbox, LoadTakesTextOnlyWithTheSandboxAsDefaultEnv) {
  EXPECT_EQ(value("local f, e = load(string.dump(function() return 1 end)) return {f == nil, e}"),
            Value::parse(R"j([true, "attempt to load a binary chunk (mode is 't')"])j"));
  EXPECT_EQ(value("local f, e = load(string.dump(function() end), 'x', 'b') return f == nil"),
            true);
  EXPECT_EQ(value("return load('return hotmod.name, type(io)')()"), "greeter");
  EXPECT_EQ(value("return load('return x', 'chunk', 't', {x = 5})()"), 5);
  EXPECT_EQ(value("local parts = {'return ', '7'} local i = 0 "
                  "return load(function() i = i + 1 return parts[i] end)()"),
            7);
}

TEST_F(Sandbox, PrintAndLogReachTheHostLog) {
  value("print('a', 1, nil, 4.0, setmetatable({}, {__tostring = function() return 'T' end}))");
  ASSERT_EQ(fake.logs.size(), 1u);
  EXPECT_EQ(fake.logs[0].first, LogLevel::info);
  EXPECT_EQ(fake.logs[0].second, "a\t1\tnil\t4.0\tT");

  fake.logs.clear();
  value(
      "hotmod.log('warn', 'careful') hotmod.log('debug', 'details') hotmod.log('error', 42) "
      "warn('w', 'x')");
  ASSERT_EQ(fake.logs.size(), 4u);
  EXPECT_EQ(fake.logs[0], std::make_pair(LogLevel::warn, std::string("careful")));
  EXPECT_EQ(fake.logs[1], std::make_pair(LogLevel::debug, std::string("details")));
  EXPECT_EQ(fake.logs[2], std::make_pair(LogLevel::error, std::string("42")));
  EXPECT_EQ(fake.logs[3], std::make_pair(LogLevel::warn, std::string("wx")));

  EXPECT_NE(
      error("hotmod.log('loud', 'x')").find("bad argument #1 to 'log' (invalid option 'loud')"),
      std::string::npos);
}

TEST_F(Sandbox, CapabilitiesConfigAndName) {
  fake.granted = {"net:listen"};
  fake.config = Value::parse(R"({"greeting": "hi", "sizes": [1, 2], "ratio": 0.5})");
  EXPECT_EQ(value("return {hotmod.has_capability('net:listen'), hotmod.has_capability('fs:write'), "
                  "hotmod.config.greeting, hotmod.config.sizes[2], hotmod.config.ratio, "
                  "hotmod.name}"),
            Value::parse(R"([true, false, "hi", 2, 0.5, "greeter"])"));
  fake.config = nullptr;
  EXPECT_EQ(value("return {type(hotmod.config), next(hotmod.config) == nil}"),
            Value::parse(R"(["table", true])"));
}

TEST_F(Sandbox, LibrariesAreCopiesPerVersion) {
  ScriptModule m("greeter", fake.host());
  auto v1 = m.load("string.shout = string.upper return {f = function() return 1 end}", "a.lua");
  ASSERT_TRUE(v1.ok()) << v1.error().message;
  auto v2 = m.load("return {f = function() return string.shout == nil end}", "a.lua");
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(m.call(*v2.value(), "f", Value::array()).value(), true);
}

}  // namespace
