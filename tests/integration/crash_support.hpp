// The crash tests' fixture: a runtime in dev mode on the `crasher` module
// (tests/fixtures/crasher.cpp), whose reloads are the tests' own.
#pragma once

#include <string_view>

#include "crasher_api.hpp"
#include "support.hpp"

namespace hotmod_test {

class CrashTest : public RuntimeTest {
 protected:
  // The death tests' children start afresh: the parent runs threads.
  CrashTest() { GTEST_FLAG_SET(death_test_style, "threadsafe"); }

  // What a death test's child runs: a runtime made with `o` loads the
  // crasher and calls `function` with `args`.
  static void call_crasher(const hotmod::RuntimeOptions& o, std::string_view function,
                           const hotmod::Value& args = hotmod::Value::array()) {
    hotmod::Runtime rt(o);
    (void)load(rt, "crasher").call_with(function, args);
  }

  hotmod::RuntimeOptions dev_options() const {
    hotmod::RuntimeOptions o = options();
    o.dev_mode = true;
    o.hot_reload = false;  // reloads are the tests' own
    return o;
  }
  void install_crasher(const char* fixture) const { install(fixture, "crasher.so"); }
};

// The crash() call's result, or -1 with `*error` set when it failed.
inline int crash_call(const hotmod::Module& m, int how, hotmod::Error* error) {
  hotmod::Result<hotmod::Value> r = m.call("crash", how);
  if (r.ok()) return r.value().get<int>();
  *error = r.error();
  return -1;
}

}  // namespace hotmod_test
