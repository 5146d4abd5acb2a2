// Script modules through the runtime: `name.lua` discovered beside the
// libraries, loaded on first use, reloaded with hotmod.state kept, failed
// reloads keeping the running version, the sandbox and its grants,
// imports across kinds, hooks, the watcher, many threads, and what the
// memory report says of them.
#include <atomic>
#include <fstream>
#include <thread>

#include "support.hpp"

namespace {

using namespace hotmod_test;

constexpr const char* kGreeterV1 = R"(-- greeter v1
hotmod.state.greeted = hotmod.state.greeted or 0
local M = {_version = "1.0", _description = "Says hello"}
function M.greet(who)
  hotmod.state.greeted = hotmod.state.greeted + 1
  return "hello " .. who
end
function M.greeted() return hotmod.state.greeted end
function M._secret() return 42 end
return M
)";

constexpr const char* kGreeterV2 = R"(-- greeter v2: same state, new words
hotmod.state.greeted = hotmod.state.greeted or 0
local M = {_version = "2.0"}
function M.greet(who)
  hotmod.state.greeted = hotmod.state.greeted + 1
  return "bonjour " .. who
end
function M.greeted() return hotmod.state.greeted end
return M
)";

class ScriptTest : public RuntimeTest {
 protected:
  fs::path script(std::string_view name, std::string_view text) const {
    fs::path file = modules() / name;
    fs::create_directories(file.parent_path());
    write_text(file, text);
    return file;
  }
  hotmod::Value call(hotmod::Runtime& rt, std::string_view module, std::string_view fn,
                     hotmod::Value args = hotmod::Value::array()) {
    auto m = rt.module(module);
    if (!m.ok()) {
      ADD_FAILURE() << m.error().message;
      return nullptr;
    }
    auto r = m->call_with(fn, args);
    if (!r.ok()) {
      ADD_FAILURE() << r.error().message;
      return nullptr;
    }
    return r.value();
  }
};

TEST_F(ScriptTest, DiscoveredBesideLibrariesAndLoadedOnFirstUse) {
  script("greeter.lua", kGreeterV1);
  script("algorithms/sorting.lua", "return {sort = function(t) table.sort(t) return t end}");
  install(fixtures::counter_v1);
  hotmod::Runtime rt(options());

  auto info = rt.info("greeter");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->kind, hotmod::ModuleKind::script);
  EXPECT_FALSE(info->loaded);
  ASSERT_TRUE(rt.info("algorithms.sorting").has_value());

  EXPECT_EQ(call(rt, "greeter", "greet", {"Ada"}), "hello Ada");
  EXPECT_EQ(call(rt, "algorithms.sorting", "sort", {{3, 1, 2}}), (hotmod::Value{1, 2, 3}));
  info = rt.info("greeter");
  EXPECT_TRUE(info->loaded);
  EXPECT_EQ(info->version, "1.0");
  EXPECT_EQ(info->description, "Says hello");
  std::vector<std::string> names;
  for (const auto& f : info->functions) names.push_back(f.name + " = " + f.signature);
  EXPECT_EQ(names, (std::vector<std::string>{"greet = greet(who)", "greeted = greeted()"}));

  auto secret = rt.module("greeter")->call("_secret");
  ASSERT_FALSE(secret.ok());  // private: a leading underscore
  EXPECT_NE(secret.error().message.find("_secret"), std::string::npos);
}

TEST_F(ScriptTest, ReloadRunsTheNewChunkAndKeepsHotmodState) {
  fs::path file = script("greeter.lua", kGreeterV1);
  hotmod::Runtime rt(options());
  EventLog events(rt.bus());
  call(rt, "greeter", "greet", {"a"});
  call(rt, "greeter", "greet", {"b"});
  write_text(file, kGreeterV2);
  hotmod::ReloadStats stats = rt.reload("greeter");
  ASSERT_TRUE(stats.success) << stats.error;
  EXPECT_EQ(stats.version, "2.0");
  EXPECT_EQ(call(rt, "greeter", "greet", {"c"}), "bonjour c");
  EXPECT_EQ(call(rt, "greeter", "greeted"), 3);  // counted by both versions
  EXPECT_EQ(events.count("module.reloaded"), 1u);
  EXPECT_EQ(rt.info("greeter")->reload_count, 1u);
}

TEST_F(ScriptTest, FailedReloadsKeepTheRunningVersion) {
  fs::path file = script("greeter.lua", kGreeterV1);
  hotmod::Runtime rt(options());
  EventLog events(rt.bus());
  call(rt, "greeter", "greet", {"a"});

  write_text(file, "local M = {}\nfunction M.greet(who)\n  return 'x' ..\nend\nreturn M\n");
  hotmod::ReloadStats syntax = rt.reload("greeter");
  EXPECT_FALSE(syntax.success);
  EXPECT_EQ(syntax.stage, hotmod::Stage::load);
  EXPECT_NE(syntax.error.find("greeter.lua:4:"), std::string::npos) << syntax.error;
  EXPECT_EQ(call(rt, "greeter", "greet", {"b"}), "hello b");

  write_text(file, "local M = {}\nlocal x = nil\nreturn x.field\n");
  hotmod::ReloadStats runtime_error = rt.reload("greeter");
  EXPECT_FALSE(runtime_error.success);
  EXPECT_EQ(runtime_error.stage, hotmod::Stage::initialize);
  EXPECT_NE(runtime_error.error.find("greeter.lua:3:"), std::string::npos) << runtime_error.error;

  write_text(file, "return 42\n");
  hotmod::ReloadStats not_table = rt.reload("greeter");
  EXPECT_FALSE(not_table.success);
  EXPECT_NE(not_table.error.find("table"), std::string::npos) << not_table.error;

  // Still version 1, state intact, globals of the failed chunks not leaked.
  EXPECT_EQ(call(rt, "greeter", "greet", {"c"}), "hello c");
  EXPECT_EQ(call(rt, "greeter", "greeted"), 3);  // a, b and c
  EXPECT_EQ(events.count("module.reload_failed"), 3u);
  ASSERT_TRUE(rt.last_failure("greeter").has_value());
}

// What a failed chunk wrote into hotmod.state is undone: a runtime error, a
// capability refused after the chunk ran, an on_load that fails.
TEST_F(ScriptTest, AFailedReloadLeavesHotmodStateAsItWas) {
  fs::path file = script("cart.lua", R"(
hotmod.state.items = hotmod.state.items or {"apple", "pear"}
local items = hotmod.state.items
return {count = function() return #items end, first = function() return items[1] end}
)");
  hotmod::Runtime rt(options());
  ASSERT_EQ(call(rt, "cart", "count"), 2);
  const std::string wipes =
      "for i = #hotmod.state.items, 1, -1 do hotmod.state.items[i] = nil end\n"
      "hotmod.state.items[1] = 'ruined'\n";
  write_text(file, wipes + "error('boom')\n");
  EXPECT_FALSE(rt.reload("cart").success);
  EXPECT_EQ(call(rt, "cart", "count"), 2);
  EXPECT_EQ(call(rt, "cart", "first"), "apple");

  write_text(file, wipes + "return {_capabilities = {'net:listen'}}\n");
  hotmod::ReloadStats refused = rt.reload("cart");
  EXPECT_EQ(refused.failure, hotmod::Failure::missing_capability);
  EXPECT_EQ(call(rt, "cart", "first"), "apple");

  write_text(file, wipes + "return {on_load = function() error('late') end}\n");
  EXPECT_EQ(rt.reload("cart").failure, hotmod::Failure::on_load_threw);
  EXPECT_EQ(call(rt, "cart", "count"), 2);
  EXPECT_EQ(call(rt, "cart", "first"), "apple");
}

TEST_F(ScriptTest, SandboxHasNoIoOrOsUnlessGranted) {
  const fs::path out = tmp_.path() / "written.txt";
  script("writer.lua", R"(
local M = {}
function M.write(path, text)
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
  return os.time() > 0
end
function M.probe()
  return {debug = debug == nil, package = package == nil, require = require == nil,
          dofile = dofile == nil, loadfile = loadfile == nil}
end
return M
)");
  {
    hotmod::Runtime rt(options());
    auto m = rt.module("writer");
    ASSERT_TRUE(m.ok()) << m.error().message;
    auto denied = m->call("write", out.string(), "x");
    ASSERT_FALSE(denied.ok());
    EXPECT_NE(denied.error().message.find("needs capability 'lua:io'"), std::string::npos)
        << denied.error().message;
    EXPECT_NE(denied.error().message.find("\"capabilities\": {\"writer\": [\"lua:io\"]}"),
              std::string::npos)
        << denied.error().message;
    EXPECT_FALSE(fs::exists(out));
    EXPECT_EQ(m->call("probe").value(), (hotmod::Value{{"debug", true},
                                                       {"package", true},
                                                       {"require", true},
                                                       {"dofile", true},
                                                       {"loadfile", true}}));
  }
  hotmod::RuntimeOptions o = options();
  o.module_capabilities["writer"] = {"lua:io", "lua:os"};
  hotmod::Runtime rt(o);
  EXPECT_EQ(call(rt, "writer", "write", {out.string(), "granted"}), true);
  EXPECT_TRUE(fs::exists(out));
}

// io.popen and os.execute run commands: granted io and os are not enough.
// os.exit would end the host: never.
TEST_F(ScriptTest, RunningCommandsNeedsLuaExecAndExitingTheHostIsNeverAllowed) {
  const fs::path ran = tmp_.path() / "ran";
  script("shell.lua", R"(
local M = {}
function M.popen(path) local p = io.popen("touch " .. path) p:close() return true end
function M.execute(path) return os.execute("touch " .. path) == true end
function M.exit() os.exit(3) end
return M
)");
  hotmod::RuntimeOptions o = options();
  o.module_capabilities["shell"] = {"lua:io", "lua:os"};
  {
    hotmod::Runtime rt(o);
    auto m = rt.module("shell");
    ASSERT_TRUE(m.ok()) << m.error().message;
    for (const char* function : {"popen", "execute"}) {
      auto denied = m->call(function, ran.string());
      ASSERT_FALSE(denied.ok()) << function;
      EXPECT_NE(denied.error().message.find("needs capability 'lua:exec' to use"),
                std::string::npos)
          << denied.error().message;
      EXPECT_NE(denied.error().message.find("\"capabilities\": {\"shell\": [\"lua:exec\"]}"),
                std::string::npos)
          << denied.error().message;
    }
    EXPECT_FALSE(fs::exists(ran)) << "no command ran";
    auto exit = m->call("exit");
    ASSERT_FALSE(exit.ok());
    EXPECT_NE(exit.error().message.find("may not call os.exit: it would end the host program"),
              std::string::npos)
        << exit.error().message;
  }
  o.module_capabilities["shell"].push_back("lua:exec");
  hotmod::Runtime rt(o);
  EXPECT_EQ(call(rt, "shell", "popen", {ran.string()}), true);
  EXPECT_TRUE(fs::exists(ran));
  fs::remove(ran);
  EXPECT_EQ(call(rt, "shell", "execute", {ran.string()}), true);
  EXPECT_TRUE(fs::exists(ran));
  EXPECT_FALSE(rt.module("shell")->call("exit").ok()) << "not even with every grant";
}

TEST_F(ScriptTest, DeclaredCapabilitiesMustBeGranted) {
  script("net.lua", "return {_capabilities = {'net:listen'}, port = function() return 80 end}");
  {
    hotmod::Runtime rt(options());
    auto m = rt.module("net");
    ASSERT_FALSE(m.ok());
    EXPECT_NE(m.error().message.find("module 'net' needs capability 'net:listen'"),
              std::string::npos)
        << m.error().message;
  }
  hotmod::RuntimeOptions o = options();
  o.capabilities = {"net:listen"};
  hotmod::Runtime rt(o);
  EXPECT_EQ(call(rt, "net", "port"), 80);
  EXPECT_EQ(rt.info("net")->capabilities, std::vector<std::string>{"net:listen"});
}

TEST_F(ScriptTest, ImportsModulesOfEveryKind) {
  install(fixtures::counter_v1);
  script("util/strings.lua", "return {shout = function(s) return s:upper() .. '!' end}");
  script("app.lua", R"(
local counter = hotmod.import("counter")
local strings = hotmod.import("util.strings")
return {
  run = function(who) return strings.shout(who) .. " " .. counter.add(2, 3) end,
  count = function() return counter.increment() end,
}
)");
  hotmod::Runtime rt(options());
  EXPECT_EQ(call(rt, "app", "run", {"hi"}), "HI! 5");
  auto info = rt.info("app");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->imports, (std::vector<std::string>{"counter", "util.strings"}));

  // Calls reach the imported module's current version.
  EXPECT_EQ(call(rt, "app", "count"), 1);
  install(fixtures::counter_v2);
  ASSERT_TRUE(rt.reload("counter").success);
  EXPECT_EQ(call(rt, "app", "count"), 2);  // counter's state survived its reload too
}

constexpr const char* kHooked = R"(
hotmod.state.loads = hotmod.state.loads or 0
hotmod.state.unloads = hotmod.state.unloads or 0
return {
  on_load = function() hotmod.state.loads = hotmod.state.loads + 1 end,
  on_unload = function() hotmod.state.unloads = hotmod.state.unloads + 1 end,
  counts = function() return {hotmod.state.loads, hotmod.state.unloads} end,
}
)";

TEST_F(ScriptTest, HooksRunOnLoadAndUnload) {
  fs::path file = script("hooked.lua", kHooked);
  hotmod::Runtime rt(options());
  EXPECT_EQ(call(rt, "hooked", "counts"), (hotmod::Value{1, 0}));
  EXPECT_EQ(rt.info("hooked")->functions.size(), 1u);  // hooks are not exported
  write_text(file, std::string("-- v2\n") + kHooked);
  ASSERT_TRUE(rt.reload("hooked").success);
  EXPECT_EQ(call(rt, "hooked", "counts"), (hotmod::Value{2, 1}));

  write_text(file, "return {on_load = function() error('not today') end}\n");
  hotmod::ReloadStats failed = rt.reload("hooked");
  EXPECT_FALSE(failed.success);
  EXPECT_EQ(failed.failure, hotmod::Failure::on_load_threw);
  EXPECT_NE(failed.error.find("not today"), std::string::npos) << failed.error;
  // Rolled back: hotmod.state as before the failed chunk ran (on_unload's
  // count undone with it, as a native module's state copy is restored),
  // then the old version's on_load again.
  EXPECT_EQ(call(rt, "hooked", "counts"), (hotmod::Value{3, 1}));
}

TEST_F(ScriptTest, TheWatcherReloadsASavedScript) {
  fs::path file = script("greeter.lua", kGreeterV1);
  hotmod::RuntimeOptions o = options();
  o.dev_mode = true;
  hotmod::Runtime rt(o);
  EventLog events(rt.bus());
  EXPECT_EQ(call(rt, "greeter", "greet", {"a"}), "hello a");
  write_text(file, kGreeterV2);
  ASSERT_TRUE(wait_until([&] { return events.count("module.reloaded") == 1; })) << logs_->dump();
  EXPECT_EQ(call(rt, "greeter", "greet", {"b"}), "bonjour b");
  EXPECT_EQ(call(rt, "greeter", "greeted"), 2);
}

// A save is complete when the editor closes the file or renames it into
// place: it is not held for the debounce.
TEST_F(ScriptTest, ASavedScriptReloadsWithoutWaitingForTheDebounce) {
  fs::path file = script("greeter.lua", kGreeterV1);
  hotmod::RuntimeOptions o = options();
  o.dev_mode = true;
  o.debounce = std::chrono::minutes(10);  // never reached by this test
  hotmod::Runtime rt(o);
  EventLog events(rt.bus());
  EXPECT_EQ(call(rt, "greeter", "greet", {"a"}), "hello a");
  write_text(file, kGreeterV2);  // renamed into place
  ASSERT_TRUE(wait_until([&] { return events.count("module.reloaded") == 1; })) << logs_->dump();
  EXPECT_EQ(call(rt, "greeter", "greet", {"b"}), "bonjour b");
  {
    std::ofstream in_place(file, std::ios::trunc);  // written in place, then closed
    in_place << kGreeterV1;
  }
  ASSERT_TRUE(wait_until([&] { return events.count("module.reloaded") == 2; })) << logs_->dump();
  EXPECT_EQ(call(rt, "greeter", "greet", {"c"}), "hello c");
}

TEST_F(ScriptTest, ManyThreadsCallWhileItReloads) {
  fs::path file = script("sum.lua", R"(
return {add = function(a, b) local t = {} for i = 1, 50 do t[i] = i end return a + b end}
)");
  hotmod::Runtime rt(options());
  hotmod::Module m = rt.module("sum").value();
  std::atomic<bool> stop{false};
  std::atomic<int> wrong{0}, calls{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      while (!stop.load()) {
        auto r = m.call("add", t, 1000);
        if (!r.ok() || r.value() != t + 1000) wrong.fetch_add(1);
        calls.fetch_add(1);
      }
    });
  }
  for (int i = 0; i < 20; ++i) {
    write_text(file,
               "-- " + std::to_string(i) + "\nreturn {add = function(a, b) return a + b end}\n");
    EXPECT_TRUE(rt.reload("sum").success);
  }
  ASSERT_TRUE(wait_until([&] { return calls.load() > 200; }));
  stop = true;
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST_F(ScriptTest, MemoryReportMeasuresTheInterpreter) {
  script("store.lua", R"(
return {
  keep = function(n) hotmod.state.blob = string.rep("x", n) return #hotmod.state.blob end,
  drop = function() hotmod.state.blob = nil collectgarbage() return true end,
}
)");
  hotmod::Runtime rt(options());
  call(rt, "store", "drop");
  auto find = [](const hotmod::MemoryReport& r) {
    for (const auto& m : r.modules)
      if (m.name == "store") return m;
    return hotmod::ModuleMemory{};
  };
  hotmod::ModuleMemory before = find(rt.memory_report());
  ASSERT_EQ(before.name, "store");
  ASSERT_TRUE(before.heap_bytes.has_value());  // the interpreter's allocator, any mode
  EXPECT_GT(*before.heap_bytes, 0u);

  constexpr int kBytes = 1 << 20;
  EXPECT_EQ(call(rt, "store", "keep", {kBytes}), kBytes);
  hotmod::ModuleMemory holding = find(rt.memory_report());
  EXPECT_GE(*holding.heap_bytes, *before.heap_bytes + kBytes);
  EXPECT_GE(holding.state_bytes, static_cast<std::uint64_t>(kBytes));
  EXPECT_LT(holding.state_bytes, static_cast<std::uint64_t>(kBytes) + 4096);

  call(rt, "store", "drop");
  EXPECT_LT(*find(rt.memory_report()).heap_bytes, *before.heap_bytes + kBytes / 2);
}

}  // namespace
