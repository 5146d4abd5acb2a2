// Source modules without the watcher (explicit reloads only): discovery, the first compile, the
// cache across restarts, flags from config and from compile_commands.json,
// ABI flags, production mode and failures at compile and load time.
#include <fstream>

#include "source_support.hpp"

namespace hotmod_test {
namespace {

using hotmod::ModuleKind;

TEST_F(SourceTest, ACppFileIsASourceModuleCompiledOnFirstUse) {
  write("modules/hello.cpp", module_text("hello", 42));
  write("modules/algorithms/sorting.cpp", module_text("algorithms.sorting", 7));
  write("modules/notes.hpp", "// a header, not a module\n");
  hotmod::Runtime rt(dev_options(false));
  std::optional<hotmod::ModuleInfo> info = rt.info("hello");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->kind, ModuleKind::source);
  EXPECT_FALSE(info->loaded) << "discovery compiles nothing";
  EXPECT_TRUE(rt.info("algorithms.sorting").has_value()) << "nested folders give dotted names";
  EXPECT_FALSE(rt.info("notes").has_value());

  EXPECT_EQ(answer(rt, "hello"), 42) << logs_->dump();
  EXPECT_EQ(answer(rt, "algorithms.sorting"), 7) << logs_->dump();
}

TEST_F(SourceTest, AMarkedFolderIsOneModuleCompiledFromAllItsFiles) {
  write("modules/net/hotmod.module", "");
  write("modules/net/main.cpp",
        "#include <hotmod/module.hpp>\n"
        "#include \"parts.hpp\"\n"
        "HOTMOD_MODULE(\"net\", \"1.0.0\", \"two files\");\n"
        "int answer() { return part_a() + part_b(); }\n"
        "HOTMOD_EXPORT(answer, \"sum of the parts\");\n");
  write("modules/net/parts.hpp", "int part_a();\nint part_b();\n");
  write("modules/net/a.cpp", "#include \"parts.hpp\"\nint part_a() { return 40; }\n");
  write("modules/net/sub/b.cpp", "#include \"../parts.hpp\"\nint part_b() { return 2; }\n");
  hotmod::Runtime rt(dev_options(false));
  ASSERT_TRUE(rt.info("net").has_value());
  EXPECT_FALSE(rt.info("net.a").has_value()) << "files of a marked folder are not modules";
  EXPECT_FALSE(rt.info("net.sub.b").has_value());
  EXPECT_EQ(answer(rt, "net"), 42) << logs_->dump();

  write("modules/net/sub/b.cpp", "#include \"../parts.hpp\"\nint part_b() { return 3; }\n");
  hotmod::ReloadStats s = rt.reload("net");
  ASSERT_TRUE(s.success) << s.error << "\n" << s.diagnostics;
  EXPECT_GT(s.stages.build.count(), 0);
  EXPECT_EQ(answer(rt, "net"), 43);
}

// The compile commands logged since line `from` for module `name`.
std::vector<std::string> compiles_since(const LogCapture& logs, std::size_t from,
                                        const std::string& name) {
  std::vector<std::string> out;
  const std::vector<LogCapture::Line> lines = logs.lines();
  for (std::size_t i = from; i < lines.size(); ++i)
    if (lines[i].text.starts_with("compiling module '" + name + "'")) out.push_back(lines[i].text);
  return out;
}

TEST_F(SourceTest, AnEditToOneFileOfAMarkedFolderCompilesOnlyThatFile) {
  write("modules/multi/hotmod.module", "");
  write("modules/multi/parts.hpp", "int part_a();\nint part_b();\n");
  write("modules/multi/main.cpp",
        "#include <hotmod/module.hpp>\n"
        "#include \"parts.hpp\"\n"
        "HOTMOD_MODULE(\"multi\", \"1.0.0\", \"three files\");\n"
        "int answer() { return part_a() + part_b(); }\n"
        "HOTMOD_EXPORT(answer, \"sum of the parts\");\n");
  const auto part = [&](const char* file, const char* fn, int value, const char* extra = "") {
    write(std::string("modules/multi/") + file, std::string("#include \"parts.hpp\"\nint ") + fn +
                                                    "() { return " + std::to_string(value) +
                                                    "; }\n" + extra);
  };
  part("a.cpp", "part_a", 40);
  part("b.cpp", "part_b", 2);
  hotmod::Runtime rt(dev_options(false));
  ASSERT_EQ(answer(rt, "multi"), 42) << logs_->dump();

  std::size_t from = logs_->lines().size();
  part("b.cpp", "part_b", 3);
  ASSERT_TRUE(rt.reload("multi").success) << logs_->dump();
  EXPECT_EQ(answer(rt, "multi"), 43);
  std::vector<std::string> compiles = compiles_since(*logs_, from, "multi");
  ASSERT_EQ(compiles.size(), 1u) << logs_->dump();
  EXPECT_NE(compiles[0].find("b.cpp"), std::string::npos) << compiles[0];
  EXPECT_NE(compiles[0].find("2 of 3 files unchanged"), std::string::npos) << compiles[0];

  // A header all three include: all three compile.
  from = logs_->lines().size();
  write("modules/multi/parts.hpp", "int part_a();\nint part_b();\n// edited\n");
  ASSERT_TRUE(rt.reload("multi").success) << logs_->dump();
  compiles = compiles_since(*logs_, from, "multi");
  ASSERT_EQ(compiles.size(), 1u) << logs_->dump();
  EXPECT_NE(compiles[0].find("(and 2 more)"), std::string::npos) << compiles[0];
  EXPECT_EQ(compiles[0].find("unchanged"), std::string::npos) << compiles[0];

  // One file broken, another edited: the edited one is kept for the next
  // build, which compiles only the fix.
  part("a.cpp", "part_a", 50, "int broken() { return }\n");
  part("b.cpp", "part_b", 4);
  EXPECT_FALSE(rt.reload("multi").success);
  EXPECT_EQ(answer(rt, "multi"), 43) << "the old version keeps running";
  from = logs_->lines().size();
  part("a.cpp", "part_a", 50);
  ASSERT_TRUE(rt.reload("multi").success) << logs_->dump();
  EXPECT_EQ(answer(rt, "multi"), 54);
  compiles = compiles_since(*logs_, from, "multi");
  ASSERT_EQ(compiles.size(), 1u) << logs_->dump();
  EXPECT_NE(compiles[0].find("a.cpp"), std::string::npos) << compiles[0];
  EXPECT_NE(compiles[0].find("2 of 3 files unchanged"), std::string::npos) << compiles[0];
}

TEST_F(SourceTest, SameNameAsALibraryIsWarnedAbout) {
  write("modules/counter.cpp", module_text("counter", 1));
  install(fixtures::counter_v1, "counter.so");
  hotmod::Runtime rt(dev_options(false));
  EXPECT_TRUE(logs_->contains(hotmod::LogLevel::warn,
                              {"module 'counter' is found twice", "counter.cpp", "counter.so"}))
      << logs_->dump();
}

TEST_F(SourceTest, CompileErrorsAreParsedAndTheOldVersionKeepsRunning) {
  const fs::path file = write("modules/calc.cpp", module_text("calc", 1));
  hotmod::Runtime rt(dev_options(false));
  EventLog events(rt.bus());
  ASSERT_EQ(answer(rt, "calc"), 1);

  write("modules/calc.cpp", module_text("calc", 2, "int broken() { return undeclared_name; }\n"));
  hotmod::ReloadStats s = rt.reload("calc");
  EXPECT_FALSE(s.success);
  EXPECT_EQ(s.stage, hotmod::Stage::build);
  EXPECT_EQ(s.failure, hotmod::Failure::build_failed);
  EXPECT_NE(s.error.find("does not compile"), std::string::npos) << s.error;
  EXPECT_NE(s.error.find("the running version is kept"), std::string::npos) << s.error;
  EXPECT_NE(s.diagnostics.find("undeclared_name"), std::string::npos) << s.diagnostics;
  EXPECT_EQ(s.diagnostics.find('\x1b'), std::string::npos) << "no colour codes in stats";
  ASSERT_FALSE(s.messages.empty()) << s.diagnostics;
  const hotmod::CompilerMessage& first = s.messages.front();
  EXPECT_EQ(fs::path(first.file).filename(), "calc.cpp");
  EXPECT_EQ(first.line, 5);  // the line after module_text()'s four
  EXPECT_GT(first.column, 0);
  EXPECT_EQ(first.severity, "error");
  EXPECT_EQ(answer(rt, "calc"), 1) << "the old version keeps running";

  std::vector<hotmod::Value> failed = events.payloads("module.reload_failed");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0]["stage"], "build");
  EXPECT_NE(failed[0]["diagnostics"].get<std::string>().find("undeclared_name"), std::string::npos);

  write("modules/calc.cpp", module_text("calc", 3));
  s = rt.reload("calc");
  ASSERT_TRUE(s.success) << s.error;
  EXPECT_EQ(answer(rt, "calc"), 3);
}

// A module's own types cross through nlohmann::json's to_json/from_json,
// which needs hotmod/value.hpp: without it the build says to include it.
TEST_F(SourceTest, UserTypesConvertThroughToJsonOnceTheModuleIncludesValueHpp) {
  const std::string body =
      "#include <hotmod/module.hpp>\n"
      "HOTMOD_MODULE(\"shapes\", \"1.0.0\", \"a test module\");\n"
      "struct Point { int x = 0; int y = 0; };\n"
      "void to_json(hotmod::Value& j, const Point& p) { j = {{\"x\", p.x}, {\"y\", p.y}}; }\n"
      "void from_json(const hotmod::Value& j, Point& p) { p.x = j.at(\"x\"); p.y = j.at(\"y\"); }\n"
      "Point mirror(Point p) { return {p.y, p.x}; }\n"
      "HOTMOD_EXPORT(mirror, \"Swaps x and y\", \"p\");\n";
  const std::string with_value = "#include <hotmod/value.hpp>\n" + body;
  write("modules/shapes.cpp", body);
  hotmod::Runtime rt(dev_options(false));
  hotmod::Result<hotmod::Module> m = rt.module("shapes");
  ASSERT_FALSE(m.ok()) << "module.hpp does not declare Value";
  EXPECT_EQ(m.error().failure, hotmod::Failure::build_failed) << m.error().message;
  const std::string said = m.error().message + m.error().diagnostics;
  EXPECT_NE(said.find("include <hotmod/value.hpp>"), std::string::npos) << said;

  write("modules/shapes.cpp",
        "#include <hotmod/module.hpp>\n"
        "HOTMOD_MODULE(\"shapes\", \"1.0.0\", \"a test module\");\n"
        "int limit() { return hotmod::context().config().value(\"limit\", 3); }\n"
        "HOTMOD_EXPORT(limit);\n");
  m = rt.module("shapes");
  ASSERT_FALSE(m.ok()) << "reading the config section needs Value defined";
  EXPECT_NE(m.error().message.find("add #include <hotmod/value.hpp>"), std::string::npos)
      << m.error().message;

  write("modules/shapes.cpp", with_value);
  m = rt.module("shapes");
  ASSERT_TRUE(m.ok()) << m.error().message;
  hotmod::Result<hotmod::Value> r =
      m->call_with("mirror", hotmod::Value::parse(R"([{"x": 1, "y": 2}])"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, hotmod::Value::parse(R"({"x": 2, "y": 1})"));
  r = m->call_with("mirror", hotmod::Value::parse(R"([{"x": 1}])"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().failure, hotmod::Failure::bad_arguments);
  EXPECT_NE(r.error().message.find("'p'"), std::string::npos) << r.error().message;
}

// module.hpp only declares what the context's bus, subscribe() and import()
// hand over: a module using them includes their headers (value.hpp has them
// all), and the build error says so when it does not.
TEST_F(SourceTest, AModuleUsingTheBusOrImportsWithoutTheirHeadersIsToldWhatToInclude) {
  write("modules/greeting_api.hpp",
        "struct IGreeter {\n"
        "  virtual ~IGreeter() = default;\n"
        "  virtual int twice(int x) const = 0;\n"
        "};\n");
  write("modules/greeter.cpp",
        "#include <hotmod/module.hpp>\n"
        "#include \"greeting_api.hpp\"\n"
        "HOTMOD_MODULE(\"greeter\", \"1.0.0\", \"publishes an IGreeter\");\n"
        "struct Greeter : IGreeter { int twice(int x) const override { return 2 * x; } };\n"
        "HOTMOD_INTERFACE(IGreeter, Greeter);\n");
  const std::string user_body =
      "#include \"greeting_api.hpp\"\n"
      "HOTMOD_MODULE(\"user\", \"1.0.0\", \"imports the greeter\");\n"
      "static int heard = 0;\n"
      "static hotmod::Ref<IGreeter> greeter;\n"
      "void on_load(hotmod::Context& ctx) {\n"
      "  ctx.subscribe(\"test.hello\", [](std::string_view, const auto&) { ++heard; });\n"
      "  greeter = ctx.import<IGreeter>(\"greeter\").value();\n"
      "}\n"
      "HOTMOD_ON_LOAD(on_load);\n"
      "int use(int x) { return greeter->twice(x) + heard; }\n"
      "HOTMOD_EXPORT(use, \"twice x, plus the hellos heard\", \"x\");\n";
  // g++ says a lambda does not convert to EventCallback, not that it is incomplete.
  write("modules/listener.cpp",
        "#include <hotmod/module.hpp>\n"
        "HOTMOD_MODULE(\"listener\", \"1.0.0\", \"only subscribes\");\n"
        "void on_load(hotmod::Context& ctx) {\n"
        "  ctx.subscribe(\"test.hello\", [](std::string_view, const auto&) {});\n"
        "}\n"
        "HOTMOD_ON_LOAD(on_load);\n");
  write("modules/user.cpp", "#include <hotmod/module.hpp>\n" + user_body);
  hotmod::Runtime rt(dev_options(false));
  hotmod::Result<hotmod::Module> listener = rt.module("listener");
  ASSERT_FALSE(listener.ok()) << "EventCallback is only declared";
  EXPECT_NE(listener.error().message.find("add #include <hotmod/value.hpp>"), std::string::npos)
      << listener.error().message << "\n"
      << listener.error().diagnostics;
  hotmod::Result<hotmod::Module> m = rt.module("user");
  ASSERT_FALSE(m.ok()) << "EventCallback, Result and Ref are only declared";
  EXPECT_EQ(m.error().failure, hotmod::Failure::build_failed) << m.error().message;
  EXPECT_NE(m.error().message.find("add #include <hotmod/value.hpp>"), std::string::npos)
      << m.error().message;

  write("modules/user.cpp",
        "#include <hotmod/module.hpp>\n#include <hotmod/value.hpp>\n" + user_body);
  m = rt.module("user");
  ASSERT_TRUE(m.ok()) << m.error().message << "\n" << m.error().diagnostics;
  rt.bus().publish("test.hello", hotmod::Value::object());
  hotmod::Result<int> r = m->call_as<int>("use", 20);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, 41) << "the greeter's implementation, and one event heard";
}

TEST_F(SourceTest, AnUnchangedModuleLoadsFromTheCacheAfterARestart) {
  write("modules/kept.cpp", module_text("kept", 5));
  {
    hotmod::Runtime rt(dev_options(false));
    ASSERT_EQ(answer(rt, "kept"), 5);
    EXPECT_TRUE(logs_->contains(hotmod::LogLevel::debug, {"compiled module 'kept'"}))
        << logs_->dump();
  }
  auto later = std::make_shared<LogCapture>();
  hotmod::RuntimeOptions o = dev_options(false);
  o.log_sink = later->sink();
  hotmod::Runtime rt(o);
  EventLog events(rt.bus());
  ASSERT_EQ(answer(rt, "kept"), 5);
  EXPECT_FALSE(later->contains(hotmod::LogLevel::trace, {"compiled module"})) << later->dump();
  EXPECT_FALSE(later->contains(hotmod::LogLevel::trace, {"compiling module"})) << later->dump();

  // An edit is a miss; going back to the first text finds the first build.
  write("modules/kept.cpp", module_text("kept", 6));
  ASSERT_TRUE(rt.reload("kept").success);
  EXPECT_EQ(answer(rt, "kept"), 6);
  write("modules/kept.cpp", module_text("kept", 5));
  const std::size_t compiled_before = later->lines().size();
  ASSERT_TRUE(rt.reload("kept").success);
  EXPECT_EQ(answer(rt, "kept"), 5);
  for (std::size_t i = compiled_before; i < later->lines().size(); ++i)
    EXPECT_EQ(later->lines()[i].text.find("compiling module"), std::string::npos)
        << later->lines()[i].text;
}

TEST_F(SourceTest, FlagsIncludeDirsDefinesAndLibrariesFromConfig) {
  write("include/config_value.hpp", "#define CONFIG_VALUE 30\n");
  write("modules/flagged.cpp",
        "#include <hotmod/module.hpp>\n"
        "#include <cmath>\n"
        "#include <config_value.hpp>\n"
        "HOTMOD_MODULE(\"flagged\", \"1.0.0\", \"flags\");\n"
        "int answer() { return CONFIG_VALUE + EXTRA + "
        "static_cast<int>(std::lround(std::sqrt(16.0))); }\n"
        "HOTMOD_EXPORT(answer, \"30 + 8 + 4\");\n");
  hotmod::RuntimeOptions o = dev_options(false);
  o.cxx.include_dirs = {"include"};  // relative to the project folder
  o.cxx.defines = {"EXTRA=8"};
  o.cxx.link_libraries = {"m"};
  o.cxx.flags = {"-Wall"};
  hotmod::Runtime rt(o);
  EXPECT_EQ(answer(rt, "flagged"), 42) << logs_->dump();
}

TEST_F(SourceTest, CompileCommandsJsonGivesTheProjectsIncludeDirsAndDefines) {
  write("project/include/project.hpp", "#define PROJECT_ANSWER (PROJECT_BASE + 2)\n");
  write("project/src/other.cpp", "int other() { return 0; }\n");
  const fs::path project = tmp_.path() / "project";
  write("project/build/compile_commands.json",
        "[{\"directory\": \"" + (project / "build").string() +
            "\", \"command\": \"/usr/bin/c++ -I../include -DPROJECT_BASE=40 -std=c++20 -o "
            "other.o -c " +
            (project / "src/other.cpp").string() + "\", \"file\": \"" +
            (project / "src/other.cpp").string() + "\"}]\n");
  write("modules/proj.cpp",
        "#include <hotmod/module.hpp>\n"
        "#include <project.hpp>\n"
        "HOTMOD_MODULE(\"proj\", \"1.0.0\", \"project flags\");\n"
        "int answer() { return PROJECT_ANSWER; }\n"
        "HOTMOD_EXPORT(answer, \"from the project\");\n");
  hotmod::RuntimeOptions o = dev_options(false);
  o.cxx.project_dir = project;  // found in project/build/
  hotmod::Runtime rt(o);
  EXPECT_EQ(answer(rt, "proj"), 42) << logs_->dump();
  EXPECT_TRUE(logs_->contains(hotmod::LogLevel::debug, {"compile_commands.json"})) << logs_->dump();
}

// This project's own compile_commands.json (the build tree running these
// tests): its include folders and defines, and its sanitizers in a
// sanitizer build. A module reading one of the project's headers (found
// only through the project's -I) builds with them, loads and reloads.
TEST_F(SourceTest, AModuleBuildsWithARealProjectsCompileCommands) {
  auto text = [](int n) {
    return "#include <hotmod/module.hpp>\n"
           "#include \"compile/wall_clock.hpp\"  // from the project's src/\n"
           "HOTMOD_MODULE(\"withproject\", \"1.0.0\", \"the project's flags\");\n"
           "int answer() { return hotmod::compile::now_ns() > 0 ? " +
           std::to_string(n) +
           " : 0; }\n"
           "HOTMOD_EXPORT(answer, \"the answer\");\n";
  };
  write("modules/withproject.cpp", text(1));
  hotmod::RuntimeOptions o = dev_options(false);
  o.cxx.compile_commands = HOTMOD_TEST_COMPILE_COMMANDS;
  hotmod::Runtime rt(o);
  ASSERT_EQ(answer(rt, "withproject"), 1) << logs_->dump();
  EXPECT_TRUE(logs_->contains(hotmod::LogLevel::debug, {"compile_commands.json"})) << logs_->dump();

  write("modules/withproject.cpp", text(2));
  hotmod::ReloadStats s = rt.reload("withproject");
  ASSERT_TRUE(s.success) << s.error << "\n" << s.diagnostics;
  EXPECT_EQ(answer(rt, "withproject"), 2);
}

// A module using heavy real headers from Debian — nlohmann/json, fmt and
// spdlog, linked against the shared fmt and spdlog the host uses — builds,
// loads and reloads.
TEST_F(SourceTest, AModuleUsingJsonFmtAndSpdlogBuildsAndReloads) {
  auto text = [](int n) {
    return "#include <hotmod/module.hpp>\n"
           "#include <fmt/format.h>\n"
           "#include <spdlog/sinks/ostream_sink.h>\n"
           "#include <spdlog/spdlog.h>\n"
           "#include <nlohmann/json.hpp>\n"
           "#include <sstream>\n"
           "HOTMOD_MODULE(\"heavy\", \"1.0.0\", \"real headers\");\n"
           "std::string count_keys(std::string text) {\n"
           "  const nlohmann::json j = nlohmann::json::parse(text);\n"
           "  std::ostringstream out;\n"
           "  spdlog::logger log(\"heavy\", "
           "std::make_shared<spdlog::sinks::ostream_sink_st>(out));\n"
           "  log.set_pattern(\"%v\");\n"
           "  log.info(\"{} keys\", j.size());\n"
           "  return fmt::format(\"v" +
           std::to_string(n) +
           ": {}\", out.str());\n"
           "}\n"
           "HOTMOD_EXPORT(count_keys, \"Counts an object's keys\", \"text\");\n";
  };
  write("modules/heavy.cpp", text(1));
  hotmod::RuntimeOptions o = dev_options(false);
  // As Debian's packages are built: shared fmt, compiled spdlog using it.
  o.cxx.defines = {"FMT_SHARED", "SPDLOG_SHARED_LIB", "SPDLOG_COMPILED_LIB", "SPDLOG_FMT_EXTERNAL"};
  o.cxx.link_libraries = {"spdlog", "fmt"};
  hotmod::Runtime rt(o);
  hotmod::Result<hotmod::Module> m = rt.module("heavy");
  ASSERT_TRUE(m.ok()) << m.error().message << "\n" << m.error().diagnostics << logs_->dump();
  hotmod::Result<hotmod::Value> r = m->call("count_keys", R"({"a": 1, "b": [2, 3]})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->get<std::string>(), "v1: 2 keys\n");

  write("modules/heavy.cpp", text(2));
  hotmod::ReloadStats s = rt.reload("heavy");
  ASSERT_TRUE(s.success) << s.error << "\n" << s.diagnostics;
  r = m->call("count_keys", "{}");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->get<std::string>(), "v2: 0 keys\n");

  // Its headers were precompiled with hotmod's, and the second compile used that.
  bool precompiled = false;
  for (const fs::directory_entry& e :
       fs::recursive_directory_iterator(fs::path(HOTMOD_TEST_BUILD_CACHE) / "v1" / "pch"))
    if (e.path().filename() == "hotmod_pch.hpp") {
      const std::string header = read_file(e.path());
      precompiled =
          precompiled || (header.find("#include <nlohmann/json.hpp>") != std::string::npos &&
                          header.find("#include <spdlog/spdlog.h>") != std::string::npos);
    }
  EXPECT_TRUE(precompiled) << "no precompiled header holds the module's own headers";
  EXPECT_TRUE(
      logs_->contains(hotmod::LogLevel::debug, {"compiling module 'heavy'", "hotmod_pch.hpp"}))
      << logs_->dump();
}

TEST_F(SourceTest, FlagsThatChangeTheAbiAreRefusedBeforeCompiling) {
  write("modules/nortti.cpp", module_text("nortti", 1));
  hotmod::RuntimeOptions o = dev_options(false);
  o.cxx.flags = {"-fno-rtti", "-std=c++17"};
  hotmod::Runtime rt(o);
  hotmod::ReloadStats s = rt.reload("nortti");
  EXPECT_FALSE(s.success);
  EXPECT_EQ(s.stage, hotmod::Stage::build);
  EXPECT_EQ(s.failure, hotmod::Failure::abi_mismatch);
  EXPECT_NE(s.error.find("-fno-rtti"), std::string::npos) << s.error;
  EXPECT_NE(s.error.find("-std=c++17"), std::string::npos) << s.error;
  EXPECT_NE(s.error.find("host"), std::string::npos) << s.error;
  EXPECT_FALSE(logs_->contains(hotmod::LogLevel::trace, {"compiling module 'nortti'"}))
      << "refused before compiling\n"
      << logs_->dump();
}

TEST_F(SourceTest, UndefinedSymbolsAreNamedAtLoad) {
  write("modules/dangling.cpp", module_text("dangling", 1,
                                            "int never_defined_anywhere(int);\n"
                                            "int use() { return never_defined_anywhere(3); }\n"
                                            "HOTMOD_EXPORT(use, \"calls a missing function\");\n"));
  hotmod::Runtime rt(dev_options(false));
  hotmod::ReloadStats s = rt.reload("dangling");
  EXPECT_FALSE(s.success);
  EXPECT_EQ(s.failure, hotmod::Failure::open_failed) << s.error;
  EXPECT_NE((s.error + s.diagnostics).find("never_defined_anywhere"), std::string::npos)
      << s.error << "\n"
      << s.diagnostics;
}

TEST_F(SourceTest, ProductionModeNeverCompilesAndNamesHotmodBuild) {
  write("modules/prod.cpp", module_text("prod", 9));
  hotmod::RuntimeOptions o = dev_options(false);
  o.dev_mode = false;
  {
    hotmod::Runtime rt(o);
    hotmod::ReloadStats s = rt.reload("prod");
    EXPECT_FALSE(s.success);
    EXPECT_EQ(s.stage, hotmod::Stage::build);
    EXPECT_NE(s.error.find("hotmod build prod"), std::string::npos) << s.error;
    EXPECT_FALSE(logs_->contains(hotmod::LogLevel::trace, {"compiling module"})) << logs_->dump();

    hotmod::ReloadStats built = rt.build("prod");  // what `hotmod build` does
    ASSERT_TRUE(built.success) << built.error << built.diagnostics;
    EXPECT_GT(built.stages.build.count(), 0);
    EXPECT_EQ(rt.build("prod").stages.build.count(), 0) << "the second build is a cache hit";
  }
  hotmod::Runtime rt(o);
  EXPECT_EQ(answer(rt, "prod"), 9) << logs_->dump();
}

TEST_F(SourceTest, ClangBuildsAgainstItsOwnPrecompiledHeader) {
  // Built, not loaded: a clang-compiled module in a sanitized g++ host would
  // mix two sanitizer runtimes.
  write("modules/viaclang.cpp", module_text("viaclang", 1));
  hotmod::RuntimeOptions o = dev_options(false);
  o.cxx.compiler = "clang++";
  hotmod::Runtime rt(o);
  hotmod::ReloadStats s = rt.build("viaclang");
  ASSERT_TRUE(s.success) << s.error << "\n" << s.diagnostics << logs_->dump();
  // The first compile of a flag set may read the header's text while its
  // PCH is built; the next one waits for that build and uses it.
  write("modules/viaclang.cpp", module_text("viaclang", 2));
  s = rt.build("viaclang");
  ASSERT_TRUE(s.success) << s.error << "\n" << s.diagnostics << logs_->dump();
  EXPECT_FALSE(logs_->contains(hotmod::LogLevel::warn, {"without a precompiled header"}))
      << logs_->dump();
  EXPECT_TRUE(
      logs_->contains(hotmod::LogLevel::debug, {"compiling module 'viaclang'", "-include-pch"}))
      << logs_->dump();
}

// State that cannot be copied cannot be put back after a failed on_load:
// a reload whose on_load could fail is refused before a hook of either
// version runs, and the running version keeps its state untouched.
std::string move_only_state_module(int answer, bool with_on_load) {
  std::string text =
      "#include <hotmod/module.hpp>\n"
      "#include <memory>\n"
      "HOTMOD_MODULE(\"holder\", \"" +
      std::to_string(answer) +
      ".0.0\", \"keeps a unique_ptr\");\n"
      "struct State { std::unique_ptr<int> kept = std::make_unique<int>(0); };\n"
      "HOTMOD_STATE(State, 1);\n"
      "int answer() { return " +
      std::to_string(answer) +
      "; }\n"
      "HOTMOD_EXPORT(answer, \"the answer\");\n"
      "int bump() { return ++*hotmod::state<State>().kept; }\n"
      "HOTMOD_EXPORT(bump, \"counts in the state\");\n";
  if (with_on_load)
    text +=
        "void on_load(hotmod::Context&) { *hotmod::state<State>().kept += 100; }\n"
        "HOTMOD_ON_LOAD(on_load);\n"
        "void on_unload(hotmod::Context&) { *hotmod::state<State>().kept += 10; }\n"
        "HOTMOD_ON_UNLOAD(on_unload);\n";
  return text;
}

TEST_F(SourceTest, AReloadThatCouldNotUndoItsOnLoadIsRefusedBeforeAnyHookRuns) {
  write("modules/holder.cpp", move_only_state_module(1, true));
  hotmod::Runtime rt(dev_options(false));
  EventLog events(rt.bus());
  hotmod::Module m = rt.module("holder").value();
  EXPECT_EQ(m.call("bump").value().get<int>(), 101) << "a first load has nothing to undo";

  write("modules/holder.cpp", move_only_state_module(2, true));
  hotmod::ReloadStats s = rt.reload("holder");
  EXPECT_FALSE(s.success);
  EXPECT_EQ(s.stage, hotmod::Stage::state);
  EXPECT_EQ(s.failure, hotmod::Failure::state_not_copyable) << s.error;
  for (const char* part : {"module 'holder' version 2.0.0 was not loaded", "State",
                           "cannot be copied", "copy constructor", "version 1.0.0 keeps running"})
    EXPECT_NE(s.error.find(part), std::string::npos) << part << " in: " << s.error;
  EXPECT_EQ(answer(rt, "holder"), 1);
  EXPECT_EQ(m.call("bump").value().get<int>(), 102)
      << "neither the old on_unload nor the new on_load ran: state untouched";
  EXPECT_EQ(events.count("module.reload_failed"), 1u);

  // Nothing to undo without an on_load: the state carries over (after the
  // old version's on_unload).
  write("modules/holder.cpp", move_only_state_module(3, false));
  s = rt.reload("holder");
  ASSERT_TRUE(s.success) << s.error;
  EXPECT_EQ(answer(rt, "holder"), 3);
  EXPECT_EQ(m.call("bump").value().get<int>(), 113) << logs_->dump();
}

// What the refusal tells the author to do: a copy constructor for a state
// holding atomics, after which a failed on_load is undone.
TEST_F(SourceTest, AtomicStateWithACopyConstructorIsPutBackWhenTheNewOnLoadFails) {
  auto text = [](int version, bool fails) {
    return "#include <hotmod/module.hpp>\n"
           "#include <atomic>\n"
           "#include <stdexcept>\n"
           "HOTMOD_MODULE(\"atomics\", \"" +
           std::to_string(version) +
           ".0.0\", \"counts atomically\");\n"
           "struct State {\n"
           "  std::atomic<int> n{0};\n"
           "  State() = default;\n"
           "  State(const State& o) : n(o.n.load()) {}\n"
           "};\n"
           "HOTMOD_STATE(State, 1);\n"
           "int bump() { return ++hotmod::state<State>().n; }\n"
           "HOTMOD_EXPORT(bump, \"counts in the state\");\n"
           "void on_load(hotmod::Context&) {\n" +
           (fails ? "  hotmod::state<State>().n += 1000;\n  throw std::runtime_error(\"no\");\n"
                  : "") +
           "}\n"
           "HOTMOD_ON_LOAD(on_load);\n";
  };
  write("modules/atomics.cpp", text(1, false));
  hotmod::Runtime rt(dev_options(false));
  hotmod::Module m = rt.module("atomics").value();
  EXPECT_EQ(m.call("bump").value().get<int>(), 1);
  write("modules/atomics.cpp", text(2, true));
  hotmod::ReloadStats s = rt.reload("atomics");
  EXPECT_FALSE(s.success);
  EXPECT_EQ(s.failure, hotmod::Failure::on_load_threw) << s.error;
  EXPECT_EQ(m.call("bump").value().get<int>(), 2) << "the failed on_load's change was undone";
}

TEST_F(SourceTest, BuildingALibraryModuleSaysOnlySourcesAreBuilt) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(dev_options(false));
  hotmod::ReloadStats s = rt.build("counter");
  EXPECT_FALSE(s.success);
  EXPECT_NE(s.error.find("library module"), std::string::npos) << s.error;
  EXPECT_EQ(rt.build("nosuch").failure, hotmod::Failure::unknown_module);
}

}  // namespace
}  // namespace hotmod_test
