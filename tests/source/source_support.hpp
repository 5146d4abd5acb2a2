// What the source-module tests share: module text generators and options
// for a dev-mode runtime that compiles into the shared test cache.
#pragma once

#include <string>

#include "support.hpp"

namespace hotmod_test {

// A complete module: `answer()` returns `answer`; `extra` is appended.
std::string module_text(const std::string& name, int answer, const std::string& extra = "");

// Loads `name` and calls its `answer()`; -1 (and a test failure naming the
// error) when it does not load or answer.
int answer(hotmod::Runtime& rt, std::string_view name);

class SourceTest : public RuntimeTest {
 protected:
  // Dev mode, compiling into the shared cache (the PCH is built once).
  // Without `watch`, only explicit reloads happen (no race with the watcher).
  hotmod::RuntimeOptions dev_options(bool watch = true) const;
  fs::path write(const fs::path& relative, const std::string& text) const;
};

}  // namespace hotmod_test
