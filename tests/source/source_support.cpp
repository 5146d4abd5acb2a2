#include "source_support.hpp"

#include <thread>

namespace hotmod_test {

std::string module_text(const std::string& name, int answer, const std::string& extra) {
  return "#include <hotmod/module.hpp>\n"
         "HOTMOD_MODULE(\"" +
         name +
         "\", \"1.0.0\", \"a test module\");\n"
         "int answer() { return " +
         std::to_string(answer) +
         "; }\n"
         "HOTMOD_EXPORT(answer, \"the answer\");\n" +
         extra;
}

int answer(hotmod::Runtime& rt, std::string_view name) {
  hotmod::Result<hotmod::Module> m = rt.module(name);
  if (!m.ok()) {
    ADD_FAILURE() << "loading '" << name << "': " << m.error().message;
    return -1;
  }
  return call_int(m.value(), "answer");
}

hotmod::RuntimeOptions SourceTest::dev_options(bool watch) const {
  hotmod::RuntimeOptions o = options();
  o.dev_mode = true;
  o.hot_reload = watch;
  o.debounce = std::chrono::milliseconds(10);
  o.cxx.cache_dir = HOTMOD_TEST_BUILD_CACHE;
  o.cxx.project_dir = tmp_.path();
  return o;
}

fs::path SourceTest::write(const fs::path& relative, const std::string& text) const {
  const fs::path to = tmp_.path() / relative;
  fs::create_directories(to.parent_path());
  write_text(to, text);
  return to;
}

}  // namespace hotmod_test
