// Console::eval: expressions and statements, errors, continuation lines,
// and modules reached as globals.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "fake_hosts.hpp"
#include "script/console.hpp"

namespace {

using hotmod::Value;
using hotmod::script::Console;
using Status = Console::Status;

class ConsoleTest : public ::testing::Test {
 protected:
  ConsoleTest() {
    fake.modules.functions = {{"greeter", {"greet", "shout"}},
                              {"algorithms.sorting", {"quick"}},
                              {"algorithms.search", {"binary"}},
                              {"math", {"lerp"}}};
    fake.modules.answer = [](const hotmod_test::Call& c) -> hotmod::Result<Value> {
      if (c.function == "greet") return Value("hello " + c.args[0].get<std::string>());
      if (c.function == "quick") {
        std::vector<int> v = c.args[0].get<std::vector<int>>();
        std::sort(v.begin(), v.end());
        return Value(v);
      }
      if (c.function == "lerp") {
        const double a = c.args[0], b = c.args[1], t = c.args[2];
        return Value(a + (b - a) * t);
      }
      return Value(nullptr);
    };
    console = std::make_unique<Console>(fake.host());
  }

  // Evaluates `chunk`, expecting success; what it wrote.
  std::string out(std::string_view chunk) {
    fake.output.clear();
    const Console::Outcome o = console->eval(chunk);
    EXPECT_EQ(o.status, Status::ok) << chunk << ": " << o.error;
    return fake.output;
  }

  std::string error(std::string_view chunk) {
    const Console::Outcome o = console->eval(chunk);
    EXPECT_EQ(o.status, Status::error) << chunk;
    return o.error;
  }

  hotmod_test::FakeConsoleHost fake;
  std::unique_ptr<Console> console;
};

TEST_F(ConsoleTest, ExpressionsWriteTheirValues) {
  EXPECT_EQ(out("1 + 1"), "2\n");
  EXPECT_EQ(out("2^2"), "4.0\n");
  EXPECT_EQ(out("'hi'"), "hi\n");
  EXPECT_EQ(out("1, 'a', nil, true"), "1\ta\tnil\ttrue\n");
  EXPECT_EQ(out("{1, 2, x = 3, {'nested'}}"), "{1, 2, {\"nested\"}, x = 3}\n");
  EXPECT_EQ(out("nosuch"), "nil\n");
}

TEST_F(ConsoleTest, StatementsWriteNothingAndVariablesPersist) {
  EXPECT_EQ(out("x = 5"), "");
  EXPECT_EQ(out("local y = 1"), "");
  EXPECT_EQ(out("x * 2"), "10\n");
  EXPECT_EQ(out("function sq(n) return n * n end"), "");
  EXPECT_EQ(out("sq(4)"), "16\n");
}

TEST_F(ConsoleTest, PrintWritesThroughTheHost) {
  EXPECT_EQ(out("print('a', 1, 4.0, nil)"), "a\t1\t4.0\tnil\n");
  EXPECT_EQ(out("for i = 1, 2 do print(i) end"), "1\n2\n");
}

TEST_F(ConsoleTest, ErrorsAreReportedAndTheConsoleGoesOn) {
  EXPECT_EQ(error("error('boom')"), "stdin:1: boom");
  EXPECT_EQ(error("local t = nil\nreturn t.x"),
            "stdin:2: attempt to index a nil value (local 't')");
  EXPECT_EQ(error("x = = 1"), "stdin:1: unexpected symbol near '='");
  EXPECT_EQ(error("error({})"), "(error object is a table value)");
  EXPECT_EQ(out("1"), "1\n");
}

TEST_F(ConsoleTest, UnfinishedChunksAreIncomplete) {
  EXPECT_EQ(console->eval("function f()").status, Status::incomplete);
  EXPECT_EQ(console->eval("function f()\n  return 7").status, Status::incomplete);
  EXPECT_EQ(console->eval("x = ").status, Status::incomplete);
  EXPECT_EQ(out("function f()\n  return 7\nend"), "");
  EXPECT_EQ(out("f()"), "7\n");
  EXPECT_EQ(console->eval("end").status, Status::error);
}

TEST_F(ConsoleTest, ModulesAreGlobalsOnFirstUse) {
  EXPECT_EQ(out("greeter.greet('bob')"), "hello bob\n");
  EXPECT_EQ(out("greeter:greet('ann')"), "hello ann\n");
  ASSERT_EQ(fake.modules.calls.size(), 2u);
  EXPECT_EQ(fake.modules.calls[1].args, Value::parse(R"(["ann"])"));
  EXPECT_EQ(out("greeter"), "module 'greeter'\n");
  EXPECT_EQ(out("{greeter}"), "{<module 'greeter'>}\n");
}

TEST_F(ConsoleTest, DottedNamesAreNamespaces) {
  EXPECT_EQ(out("algorithms.sorting.quick({3, 1, 2})"), "{1, 2, 3}\n");
  EXPECT_EQ(fake.modules.calls.back().module, "algorithms.sorting");
  EXPECT_EQ(out("algorithms"), "modules 'algorithms.*'\n");
  const std::string e = error("algorithms.sortin.quick({})");
  EXPECT_EQ(e,
            "stdin:1: no module 'algorithms.sortin' (did you mean 'algorithms.sorting'?); modules "
            "under 'algorithms': search, sorting");
}

TEST_F(ConsoleTest, ImportGivesAProxy) {
  EXPECT_EQ(out("s = import('algorithms.sorting')"), "");
  EXPECT_EQ(out("s.quick({2, 1})"), "{1, 2}\n");
  EXPECT_EQ(error("import('nope')"), "stdin:1: no module named 'nope'");
}

TEST_F(ConsoleTest, ProxiesReachTheCurrentVersion) {
  EXPECT_EQ(out("g = greeter"), "");
  EXPECT_EQ(out("g.greet('a')"), "hello a\n");
  fake.modules.answer = [](const hotmod_test::Call&) {
    return hotmod::Result<Value>(Value("reloaded"));
  };
  EXPECT_EQ(out("g.greet('a')"), "reloaded\n");
  fake.modules.functions["greeter"].push_back("wave");
  EXPECT_EQ(out("g.wave()"), "reloaded\n");
}

TEST_F(ConsoleTest, UnknownFunctionsListTheExportedOnes) {
  EXPECT_EQ(error("greeter.gret('x')"),
            "stdin:1: module 'greeter' has no function 'gret' (did you mean 'greet'?); it exports: "
            "greet, shout");
  EXPECT_EQ(error("greeter.greet(print)"),
            "stdin:1: greeter.greet: argument 1 is a function; only nil, booleans, numbers, "
            "strings and tables cross module boundaries");
  fake.modules.answer = [](const hotmod_test::Call&) {
    return hotmod::Result<Value>(hotmod::Error{hotmod::Stage::call, hotmod::Failure::function_threw,
                                               "greeter.greet threw: no"});
  };
  EXPECT_EQ(error("greeter.greet('x')"), "stdin:1: greeter.greet threw: no");
}

TEST_F(ConsoleTest, AModuleMayShadowALibraryWhichStaysReachable) {
  EXPECT_EQ(out("math.lerp(0, 10, 0.5)"), "5.0\n");
  EXPECT_EQ(out("math.sqrt(16)"), "4.0\n");
  EXPECT_EQ(out("math.maxinteger > 0"), "true\n");
  EXPECT_EQ(out("string.upper('x'), type(io.write), os.time() > 0, utf8.char(72)"),
            "X\tfunction\ttrue\tH\n");
  EXPECT_EQ(out("type(dofile), type(loadfile), type(debug), type(require)"),
            "nil\tnil\tnil\tnil\n");
}

TEST_F(ConsoleTest, TablesAreWrittenAsLiterals) {
  EXPECT_EQ(out("{[10] = 'a', b = 1, [true] = 2, 3, ['two words'] = {}, ['end'] = 0}"),
            "{3, [10] = \"a\", b = 1, [\"end\"] = 0, [\"two words\"] = {}, [true] = 2}\n");
  EXPECT_EQ(out("t = {} t.self = t return t"), "{self = <cycle>}\n");
  EXPECT_EQ(out("{1.5, -0.0, 1e100, 'q\"\\n'}"), "{1.5, -0.0, 1e+100, \"q\\\"\\n\"}\n");
  EXPECT_EQ(out("setmetatable({}, {__tostring = function() return 'custom' end})"), "custom\n");
  EXPECT_EQ(out("print").rfind("function: 0x", 0), 0u);
}

// Proxies and namespaces keep their metatables to themselves: __index
// cannot be called with a table of the user's making.
TEST_F(ConsoleTest, ProxyMetatablesAreLocked) {
  EXPECT_EQ(out("getmetatable(greeter)"), "locked\n");
  EXPECT_EQ(out("getmetatable(algorithms)"), "locked\n");
  EXPECT_EQ(error("getmetatable(greeter).__index("
                  "setmetatable({}, {__hotmod_call = io.stdout}), 'greet')"),
            "stdin:1: attempt to call a nil value (field '__index')");
  EXPECT_NE(error("setmetatable(greeter, nil)").find("cannot change a protected metatable"),
            std::string::npos);
  EXPECT_EQ(out("greeter.greet('bob')"), "hello bob\n");
}

TEST_F(ConsoleTest, InterruptStopsTheRunningChunk) {
  EXPECT_FALSE(console->interrupt()) << "nothing is running";
  EXPECT_EQ(out("1"), "1\n") << "and nothing was armed";
  // print's write reaches the host while the chunk runs: it interrupts.
  hotmod::script::ConsoleHost host = fake.host();
  Console* self = nullptr;
  bool interrupted = false;
  host.write = [&](std::string_view) { interrupted = self->interrupt(); };
  Console console2(host);
  self = &console2;
  const Console::Outcome o = console2.eval("print('start') while true do end");
  EXPECT_TRUE(interrupted);
  EXPECT_EQ(o.status, Status::error);
  EXPECT_NE(o.error.find("interrupted!"), std::string::npos) << o.error;
  EXPECT_EQ(console2.eval("x = 1").status, Status::ok) << "the console goes on";
  EXPECT_FALSE(console2.interrupt());
}

// As Ctrl-C in the REPL: interrupt() from another thread (the signal may
// be delivered to any thread) stops `while true do end`.
TEST_F(ConsoleTest, InterruptFromAnotherThread) {
  std::atomic<bool> done{false};
  std::thread stopper([&] {
    while (!done.load()) {
      console->interrupt();  // false until eval() runs
      std::this_thread::yield();
    }
  });
  const Console::Outcome o = console->eval("local n = 0 while true do n = n + 1 end");
  done.store(true);
  stopper.join();
  EXPECT_EQ(o.status, Status::error);
  EXPECT_NE(o.error.find("interrupted!"), std::string::npos) << o.error;
  EXPECT_EQ(out("1 + 1"), "2\n");
}

}  // namespace
