// Hosts for the script tests: they record what a script or the console
// reached and answer from tables the test fills in.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "script/console.hpp"
#include "script/script_module.hpp"

namespace hotmod_test {

struct Call {
  std::string module;
  std::string function;
  hotmod::Value args;
};

// What a ScriptHost or ConsoleHost reaches: module names and their
// functions, and a call handler the test may swap between calls.
struct FakeModules {
  std::map<std::string, std::vector<std::string>> functions;  // module -> exported names
  std::function<hotmod::Result<hotmod::Value>(const Call&)> answer = [](const Call& c) {
    return hotmod::Result<hotmod::Value>(hotmod::Value(c.module + "." + c.function));
  };
  std::vector<Call> calls;
  std::vector<std::string> imports;
  std::mutex mu;  // calls may come from several threads

  hotmod::Result<std::vector<std::string>> list(std::string_view module) {
    auto it = functions.find(std::string(module));
    if (it == functions.end()) {
      return hotmod::Error{hotmod::Stage::import, hotmod::Failure::unknown_module,
                           "no module named '" + std::string(module) + "'"};
    }
    return it->second;
  }
  hotmod::Result<hotmod::Value> call(std::string_view module, std::string_view function,
                                     const hotmod::Value& args) {
    Call c{std::string(module), std::string(function), args};
    std::lock_guard lock(mu);
    calls.push_back(c);
    return answer(c);
  }
};

struct FakeScriptHost {
  FakeModules modules;
  std::set<std::string> granted;
  std::vector<std::pair<hotmod::LogLevel, std::string>> logs;
  hotmod::Value config;

  hotmod::script::ScriptHost host() {
    hotmod::script::ScriptHost h;
    h.import = [this](std::string_view m) {
      modules.imports.emplace_back(m);
      return modules.list(m);
    };
    h.call = [this](std::string_view m, std::string_view f, const hotmod::Value& a) {
      return modules.call(m, f, a);
    };
    h.log = [this](hotmod::LogLevel level, std::string_view text) {
      logs.emplace_back(level, std::string(text));
    };
    h.granted = [this](std::string_view c) { return granted.count(std::string(c)) > 0; };
    h.config = config;
    return h;
  }
};

struct FakeConsoleHost {
  FakeModules modules;
  std::string output;

  hotmod::script::ConsoleHost host() {
    hotmod::script::ConsoleHost h;
    h.is_module = [this](std::string_view m) {
      return modules.functions.count(std::string(m)) > 0;
    };
    h.module_names = [this] {
      std::vector<std::string> names;
      for (const auto& [name, fns] : modules.functions) names.push_back(name);
      return names;
    };
    h.functions = [this](std::string_view m) { return modules.list(m); };
    h.call = [this](std::string_view m, std::string_view f, const hotmod::Value& a) {
      return modules.call(m, f, a);
    };
    h.write = [this](std::string_view text) { output += text; };
    return h;
  }
};

}  // namespace hotmod_test
