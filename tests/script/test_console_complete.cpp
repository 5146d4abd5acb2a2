// Console::complete: globals, module names, namespaces, functions, fields.
#include <gtest/gtest.h>

#include <algorithm>

#include "fake_hosts.hpp"
#include "script/console.hpp"

namespace {

using hotmod::script::Console;
using Words = std::vector<std::string>;

class ConsoleComplete : public ::testing::Test {
 protected:
  ConsoleComplete() {
    fake.modules.functions = {{"greeter", {"greet", "shout"}},
                              {"algorithms.sorting", {"quick", "merge"}},
                              {"algorithms.search", {"binary"}},
                              {"math", {"lerp"}}};
    console = std::make_unique<Console>(fake.host());
  }

  void eval(std::string_view chunk) {
    ASSERT_EQ(console->eval(chunk).status, Console::Status::ok) << chunk;
  }

  hotmod_test::FakeConsoleHost fake;
  std::unique_ptr<Console> console;
};

TEST_F(ConsoleComplete, GlobalsModulesAndKeywords) {
  EXPECT_EQ(console->complete("gre"), Words{"greeter"});
  EXPECT_EQ(console->complete("x = alg"), Words{"algorithms"});
  EXPECT_EQ(console->complete("print(str"), Words{"string"});
  EXPECT_EQ(console->complete("fun"), Words{"function"});
  EXPECT_EQ(console->complete("pa"), (Words{"pairs"}));
  EXPECT_EQ(console->complete("ma"), (Words{"math"}));
  EXPECT_EQ(console->complete("zzz"), Words{});
  eval("myvar = {alpha = 1, beta = function() end, ['not an id'] = 3}");
  EXPECT_EQ(console->complete("myv"), Words{"myvar"});
}

TEST_F(ConsoleComplete, NamespacesAndModuleFunctions) {
  EXPECT_EQ(console->complete("algorithms."), (Words{"algorithms.search", "algorithms.sorting"}));
  EXPECT_EQ(console->complete("algorithms.so"), Words{"algorithms.sorting"});
  EXPECT_EQ(console->complete("x = algorithms.sorting."),
            (Words{"algorithms.sorting.merge", "algorithms.sorting.quick"}));
  EXPECT_EQ(console->complete("greeter:"), (Words{"greeter:greet", "greeter:shout"}));
  EXPECT_EQ(console->complete("greeter.s"), Words{"greeter.shout"});
  EXPECT_EQ(console->complete("nosuch."), Words{});
  EXPECT_EQ(console->complete("greeter.nosuch."), Words{});
}

TEST_F(ConsoleComplete, ShadowedLibraryOffersBoth) {
  const Words words = console->complete("math.");
  EXPECT_NE(std::find(words.begin(), words.end(), "math.lerp"), words.end());
  EXPECT_NE(std::find(words.begin(), words.end(), "math.sqrt"), words.end());
  EXPECT_EQ(console->complete("math.sq"), Words{"math.sqrt"});
}

TEST_F(ConsoleComplete, TableFieldsAndMethods) {
  eval("myvar = {alpha = 1, beta = function() end, ['not an id'] = 3}");
  EXPECT_EQ(console->complete("myvar."), (Words{"myvar.alpha", "myvar.beta"}));
  EXPECT_EQ(console->complete("myvar:"), Words{"myvar:beta"});
  eval("Base = {hello = function() end} obj = setmetatable({own = 1}, {__index = Base})");
  EXPECT_EQ(console->complete("obj."), (Words{"obj.hello", "obj.own"}));
  EXPECT_EQ(console->complete("string.up"), Words{"string.upper"});
  eval("s = 'text'");
  EXPECT_EQ(console->complete("s:up"), Words{"s:upper"});
  EXPECT_EQ(console->complete("myvar.alpha."), Words{});
}

TEST_F(ConsoleComplete, DoesNotRunUserIndexFunctions) {
  eval("calls = 0 lazy = setmetatable({}, {__index = function(t, k) calls = calls + 1 end})");
  EXPECT_EQ(console->complete("lazy.x."), Words{});
  fake.output.clear();
  eval("calls");
  EXPECT_EQ(fake.output, "0\n");
}

// Tables of the user's making may carry the fields that mark proxies and
// namespaces, with any value: completion treats them as plain tables.
TEST_F(ConsoleComplete, ForgedMarkersAreNotProxies) {
  eval("t = setmetatable({field = 1}, {__hotmod_module = {}})");
  EXPECT_EQ(console->complete("t."), Words{"t.field"});
  eval("u = setmetatable({other = 1}, {__hotmod_namespace = 7})");
  EXPECT_EQ(console->complete("u."), Words{"u.other"});
}

}  // namespace
