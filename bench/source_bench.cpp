// bench/source_bench.cpp — a source module's edit loop against a plain
// compile of the same file, and a cache hit in a fresh process.
//
// Figures:
//   source_edit_to_running_ms_p50  saving an edit of a 50-line module that
//                                  includes <string>, <vector> and <map> until
//                                  the new code answers (dev mode, default
//                                  settings: watcher, 30 ms debounce, PCH, the
//                                  fastest linker); median of --edits (20)
//   plain_compile_ms_p50           `c++ -std=c++20 -O0 -shared -fPIC` of the
//                                  same file, in the same run; median of --plain (5)
//   source_to_plain_ratio          the first over the second (goal <= 0.5)
//   source_edit_to_running_clang_ms_p50, source_to_plain_ratio_clang
//                                  the edit loop with cxx.compiler = clang++
//   source_cache_hit_load_ms       a fresh process loading the unchanged module
//                                  from the cache (Runtime::module(), production
//                                  mode); median of --fresh (10)
//
// Against the floor — what the compiler alone needs: the same functions
// without hotmod (its include and macros taken out), compiled and linked in
// one command as a plain shared object with hotmod's flags, a precompiled
// header of the same standard headers and the fastest linker installed;
// one compile after each edit of the loop it is compared with (so that both
// see the same machine), each with the edit changed; the median:
//   floor_ms_p50, floor_clang_ms_p50  the floor with g++ and clang++
//   source_to_floor_ratio          edit to running (g++) over the floor (goal <= 1.25)
//   source_to_floor_ratio_clang    the same with clang++ (goal <= 1.25)
//   source_first_compile_to_floor_ratio
//                                  a new module in an empty cache, precompiled
//                                  header built on the way, over the floor (goal <= 2)
//   module_image_to_floor_ratio    the bytes of hotmod's build over the floor's (goal <= 1.5)
//   source_heavy_edit_to_running_ms_p50, floor_heavy_ms_p50, source_heavy_to_floor_ratio
//                                  the same edit loop (g++, --edits / 2 edits, at least 5)
//                                  and floor for a module including nlohmann/json, fmt and
//                                  spdlog (goal <= 1.25)
//
// The first compile (which also builds the precompiled header) is not
// counted in the edit figures: it happens once per flag set, not once per edit.

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <hotmod/runtime.hpp>

#include "bench_util.hpp"
#include "process/child.hpp"

namespace hb = hotmod_bench;
using Clock = std::chrono::steady_clock;

namespace {

// 50 lines: what a small gameplay or service module looks like.
std::string module_text(int edit) {
  return R"(#include <hotmod/module.hpp>

#include <map>
#include <string>
#include <vector>

HOTMOD_MODULE("inventory", "1.0.0", "A small module for the edit benchmark");

struct Item {
  std::string name;
  int count = 0;
};

struct State {
  int calls = 0;
};
HOTMOD_STATE(State, 1);

static std::map<std::string, Item>& items() {
  static std::map<std::string, Item> all;
  return all;
}

int add(std::string name, int count) {
  Item& item = items()[name];
  item.name = name;
  item.count += count;
  return item.count;
}
HOTMOD_EXPORT(add, "Adds items", "name", "count");

std::vector<std::string> names() {
  std::vector<std::string> out;
  for (const auto& [name, item] : items()) out.push_back(name);
  return out;
}
HOTMOD_EXPORT(names, "Item names");

int total() {
  int sum = 0;
  for (const auto& [name, item] : items()) sum += item.count;
  return sum;
}
HOTMOD_EXPORT(total, "All items");

int edit() { return )" +
         std::to_string(edit) + R"(; }
HOTMOD_EXPORT(edit, "Which edit this is");
)";
}

// The same with heavy real headers: nlohmann/json, fmt and spdlog (Debian's,
// shared fmt and compiled spdlog), as a service module might be.
std::string heavy_text(int edit) {
  return R"(#include <hotmod/module.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <map>
#include <sstream>
#include <string>

HOTMOD_MODULE("service", "1.0.0", "A module with heavy headers for the edit benchmark");

static std::map<std::string, int>& counts() {
  static std::map<std::string, int> all;
  return all;
}

std::string record(std::string text) {
  const nlohmann::json event = nlohmann::json::parse(text);
  const std::string kind = event.value("kind", "unknown");
  ++counts()[kind];
  std::ostringstream out;
  spdlog::logger log("service", std::make_shared<spdlog::sinks::ostream_sink_st>(out));
  log.set_pattern("%v");
  log.info("{} x{}", kind, counts()[kind]);
  return out.str();
}
HOTMOD_EXPORT(record, "Counts an event", "json");

std::string summary() {
  return nlohmann::json(counts()).dump();
}
HOTMOD_EXPORT(summary, "Counts so far");

int edit() { return )" +
         std::to_string(edit) + R"(; }
HOTMOD_EXPORT(edit, "Which edit this is");
)";
}

// A module measured: its name, its text for each edit, and what it needs
// besides hotmod (the floor is built with the same).
struct Spec {
  std::string name;
  std::string (*text)(int edit);
  std::vector<std::string> headers;  // the floor's precompiled header
  std::vector<std::string> defines;
  std::vector<std::string> libraries;
};

const Spec kInventory = {"inventory", &module_text, {"map", "string", "vector"}, {}, {}};
const Spec kHeavy = {
    "service",
    &heavy_text,
    {"fmt/format.h", "nlohmann/json.hpp", "spdlog/sinks/ostream_sink.h", "spdlog/spdlog.h", "map",
     "sstream", "string"},
    {"FMT_SHARED", "SPDLOG_SHARED_LIB", "SPDLOG_COMPILED_LIB", "SPDLOG_FMT_EXTERNAL"},
    {"spdlog", "fmt"}};

// The module without hotmod: its include and its HOTMOD_ lines taken out.
std::string floor_text(const Spec& spec, int edit) {
  std::istringstream in(spec.text(edit));
  std::string out;
  for (std::string line; std::getline(in, line);)
    if (line.rfind("#include <hotmod/", 0) != 0 && line.rfind("HOTMOD_", 0) != 0)
      out += line + "\n";
  return out;
}

void write_file(const hb::fs::path& to, const std::string& text) {
  const hb::fs::path tmp = to.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary);
    out << text;
  }
  hb::fs::rename(tmp, to);  // an editor's atomic save
}

int run(const std::vector<std::string>& args) {
  hotmod::process::Streams streams;
  streams.output = hotmod::process::Streams::Output::inherit;
  streams.own_group = false;
  hotmod::Result<hotmod::process::Child> child = hotmod::process::Child::spawn({args}, streams);
  if (!child.ok()) hb::fail(child.error().message);
  const hotmod::process::Exit exit = child->wait();
  return exit.signal == 0 ? exit.code : -1;
}

hotmod::RuntimeOptions options(const hb::fs::path& modules, const hb::fs::path& scratch,
                               const Spec& spec = kInventory) {
  hotmod::RuntimeOptions o = hb::bench_options(modules, scratch);
  o.dev_mode = true;
  o.cxx.cache_dir = scratch / "cache";
  o.cxx.project_dir = scratch;
  o.cxx.defines = spec.defines;
  o.cxx.link_libraries = spec.libraries;
  return o;
}

// The child: one fresh process, one load from the cache; prints milliseconds.
// The runtime's own start (finding modules, its folders) is not counted.
int cache_hit_child(const hb::fs::path& scratch) {
  hotmod::RuntimeOptions o = options(scratch / "modules", scratch);
  o.dev_mode = false;  // production: the cache or nothing
  hotmod::Runtime rt(o);
  const auto start = Clock::now();
  auto m = rt.module("inventory");
  if (!m) hb::fail(m.error().message);
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  std::cout << ms << "\n";
  return 0;
}

std::string fastest_linker() {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "/usr/bin");
  for (const char* name : {"mold", "lld"}) {
    std::istringstream each(dirs.str());
    for (std::string dir; std::getline(each, dir, ':');)
      if (access((hb::fs::path(dir) / (std::string("ld.") + name)).c_str(), X_OK) == 0)
        return std::string("-fuse-ld=") + name;
  }
  return {};
}

// The floor: a precompiled header of the module's standard headers, built
// once (not timed), then compile-and-link commands of the module without
// hotmod, each with the edit changed. One runs after each edit of the loop
// it is compared with, so that both see the same machine: these machines
// are shared, and a floor measured a minute apart is another machine.
class Floor {
 public:
  Floor(const hb::fs::path& scratch, const std::string& compiler, const Spec& spec = kInventory)
      : compiler_(compiler), spec_(spec) {
    clang_ = compiler.find("clang") != std::string::npos;
    const hb::fs::path dir = scratch / ("floor-" + compiler + "-" + spec.name);
    hb::fs::create_directories(dir);
    const hb::fs::path header = dir / "std.hpp";
    std::string includes;
    for (const std::string& h : spec.headers) includes += "#include <" + h + ">\n";
    write_file(header, includes);
    // hotmod's flags for a module, but for hidden visibility: a plain shared
    // object exports its functions.
    std::vector<std::string> flags = {"-std=c++20", "-O0", "-g", "-fPIC", "-pipe"};
    for (const std::string& d : spec.defines) flags.push_back("-D" + d);
    const hb::fs::path pch = dir / (clang_ ? "std.hpp.pch" : "std.hpp.gch");
    std::vector<std::string> make_pch = {compiler};
    make_pch.insert(make_pch.end(), flags.begin(), flags.end());
    if (clang_) make_pch.push_back("-fpch-instantiate-templates");
    for (const char* a : {"-x", "c++-header"}) make_pch.push_back(a);
    make_pch.insert(make_pch.end(), {header.string(), "-o", pch.string()});
    if (run(make_pch) != 0) hb::fail("the floor's precompiled header did not build");

    linker_ = fastest_linker();
    source_ = dir / (spec.name + ".cpp");
    image_ = dir / (spec.name + ".so");
    command_ = {compiler};
    command_.insert(command_.end(), flags.begin(), flags.end());
    if (clang_)
      command_.insert(command_.end(), {"-include-pch", pch.string()});
    else
      command_.insert(command_.end(),
                      {"-include", header.string(), "-Winvalid-pch", "-Werror=invalid-pch"});
    if (!linker_.empty()) command_.push_back(linker_);
    command_.insert(command_.end(), {"-shared", source_.string(), "-o", image_.string()});
    for (const std::string& l : spec.libraries) command_.push_back("-l" + l);
  }

  // Times one compile of the module's text for `edit`.
  void compile(int edit) {
    write_file(source_, floor_text(spec_, 1000 + edit));
    const auto start = Clock::now();
    if (run(command_) != 0) hb::fail("the floor's compile failed (" + compiler_ + ")");
    ms_.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }

  double p50() const { return hb::median(ms_); }
  double image_bytes() const { return static_cast<double>(hb::fs::file_size(image_)); }
  void report() const {
    std::cerr << "source_bench: floor of " << spec_.name << " with " << compiler_ << " " << linker_
              << ": " << ms_.size() << " compiles, p50 " << p50() << " ms, " << image_bytes()
              << " bytes\n";
  }

 private:
  std::string compiler_;
  const Spec& spec_;
  bool clang_ = false;
  std::string linker_;
  hb::fs::path source_, image_;
  std::vector<std::string> command_;
  std::vector<double> ms_;
};

struct EditLoop {
  double edit_p50 = 0;     // ms
  double first_ms = 0;     // the first compile, precompiled header and all
  double image_bytes = 0;  // of the last build
};

// The newest shared object under `dir`: the cache's last build.
double newest_image_bytes(const hb::fs::path& dir) {
  hb::fs::path newest;
  auto when = hb::fs::file_time_type::min();
  for (const hb::fs::directory_entry& e : hb::fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".so" && e.last_write_time() >= when) {
      when = e.last_write_time();
      newest = e.path();
    }
  if (newest.empty()) hb::fail("no build in the cache " + dir.string());
  return static_cast<double>(hb::fs::file_size(newest));
}

// `floor` compiles once after each edit.
EditLoop edit_loop(const hb::fs::path& modules, const hb::fs::path& scratch, int edits,
                   const std::string& compiler, Floor& floor, const Spec& spec = kInventory) {
  EditLoop out;
  const hb::fs::path source = modules / (spec.name + ".cpp");
  write_file(source, spec.text(0));
  std::vector<double> edit_ms;
  {
    // Before the runtime: its reload callbacks use them until it is destroyed.
    std::vector<double> compile_ms;
    std::mutex compile_mu;
    std::condition_variable reloaded;
    int reloads = 0;
    hotmod::RuntimeOptions o = options(modules, scratch, spec);
    o.cxx.compiler = compiler;
    hotmod::Runtime rt(o);
    if (!rt.watching()) hb::fail("the runtime is not watching its module path");
    const auto first = Clock::now();
    auto m = rt.module(spec.name);
    if (!m) hb::fail(m.error().message);
    out.first_ms = std::chrono::duration<double, std::milli>(Clock::now() - first).count();
    std::cerr << "source_bench: " << (compiler.empty() ? "default compiler" : compiler)
              << ": first compile (with the precompiled header) " << out.first_ms << " ms\n";
    rt.on_reload([&](const hotmod::ReloadStats& s) {
      std::lock_guard lock(compile_mu);
      if (!s.success) std::cerr << "source_bench: reload failed: " << s.error << "\n";
      compile_ms.push_back(std::chrono::duration<double, std::milli>(s.stages.build).count());
      ++reloads;
      reloaded.notify_all();
    });
    for (int i = 1; i <= edits; ++i) {
      const auto start = Clock::now();
      const auto limit = start + std::chrono::seconds(60);
      int seen = 0;
      {
        std::lock_guard lock(compile_mu);
        seen = reloads;
      }
      write_file(source, spec.text(i));
      // Woken by the reload, not polling: a polling loop would take the
      // processor the compiler needs (the floor runs on a quiet machine).
      {
        std::unique_lock lock(compile_mu);
        if (!reloaded.wait_until(lock, limit, [&] { return reloads > seen; }))
          hb::fail("edit " + std::to_string(i) + " did not reload within 60 s");
      }
      for (;;) {
        auto r = m->call_as<int>("edit");
        if (r && *r == i) break;
        if (Clock::now() > limit)
          hb::fail("edit " + std::to_string(i) + " did not answer within 60 s");
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      edit_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
      rt.wait_for_unloads();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let the machine settle
      floor.compile(i);
    }
    rt.wait_for_unloads();
    std::lock_guard lock(compile_mu);
    std::cerr << "source_bench: " << (compiler.empty() ? "default compiler" : compiler)
              << ": compile stage p50 " << hb::median(compile_ms) << " ms, edit p50 "
              << hb::median(edit_ms) << " ms, p95 " << hb::percentile(edit_ms, 95) << " ms\n";
  }
  out.edit_p50 = hb::median(edit_ms);
  out.image_bytes = newest_image_bytes(scratch / "cache");
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--cache-hit-child") == 0) return cache_hit_child(argv[2]);
  const int edits = hb::int_option(argc, argv, "edits", 20);
  const int plain_runs = hb::int_option(argc, argv, "plain", 5);
  const int fresh_runs = hb::int_option(argc, argv, "fresh", 10);
  hb::TempDir scratch("hotmod-bench-source");
  const hb::fs::path modules = scratch.path() / "modules";
  hb::fs::create_directories(modules);
  const hb::fs::path source = modules / "inventory.cpp";
  write_file(source, module_text(0));

  Floor floor(scratch.path(), "c++");
  Floor floor_clang(scratch.path(), "clang++");
  Floor floor_heavy(scratch.path(), "c++", kHeavy);
  // The first compile against a floor measured just before it.
  floor.compile(0);
  const EditLoop gcc = edit_loop(modules, scratch.path(), edits, "", floor);
  const double edit_p50 = gcc.edit_p50;
  // The same loop with clang++, whose PCH also holds the instantiations its
  // headers need (-fpch-instantiate-templates).
  const double clang_p50 =
      edit_loop(modules, scratch.path(), edits, "clang++", floor_clang).edit_p50;
  // A module with heavy headers, whose own precompiled header holds them.
  const double heavy_p50 =
      edit_loop(modules, scratch.path(), std::max(5, edits / 2), "", floor_heavy, kHeavy).edit_p50;
  for (const Floor* f : {&floor, &floor_clang, &floor_heavy}) f->report();
  const double floor_p50 = floor.p50();
  const double floor_clang_p50 = floor_clang.p50();
  const double floor_heavy_p50 = floor_heavy.p50();
  const double floor_bytes = floor.image_bytes();

  std::vector<double> plain_ms;
  const hb::fs::path plain_out = scratch.path() / "plain.so";
  for (int i = 0; i < plain_runs; ++i) {
    const auto start = Clock::now();
    if (run({"c++", "-std=c++20", "-O0", "-shared", "-fPIC", "-I" HOTMOD_BENCH_INCLUDE_DIR,
             source.string(), "-o", plain_out.string()}) != 0)
      hb::fail("the plain compile failed");
    plain_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }

  // Fresh processes, each loading the unchanged module: the cache holds the
  // last edit's build.
  std::vector<double> fresh_ms;
  for (int i = 0; i < fresh_runs; ++i) {
    std::string self = hb::fs::read_symlink("/proc/self/exe").string();
    std::string out_file = (scratch.path() / "child.out").string();
    std::vector<std::string> args = {
        "/bin/sh", "-c",
        "'" + self + "' --cache-hit-child '" + scratch.path().string() + "' > '" + out_file + "'"};
    if (run(args) != 0) hb::fail("the cache-hit child failed");
    std::ifstream in(out_file);
    double ms = 0;
    if (!(in >> ms)) hb::fail("the cache-hit child printed no time");
    fresh_ms.push_back(ms);
  }

  const double plain_p50 = hb::median(plain_ms);
  std::cerr << "source_bench: " << edits << " edits, p50 " << edit_p50 << " ms (clang++ "
            << clang_p50 << " ms); plain compile p50 " << plain_p50 << " ms; cache-hit load p50 "
            << hb::median(fresh_ms) << " ms\n";
  hb::print_figure("source_edit_to_running_ms_p50", edit_p50);
  hb::print_figure("plain_compile_ms_p50", plain_p50);
  hb::print_figure("source_to_plain_ratio", edit_p50 / plain_p50);
  hb::print_figure("source_cache_hit_load_ms", hb::median(fresh_ms));
  hb::print_figure("source_edit_to_running_clang_ms_p50", clang_p50);
  hb::print_figure("source_to_plain_ratio_clang", clang_p50 / plain_p50);
  hb::print_figure("floor_ms_p50", floor_p50);
  hb::print_figure("floor_clang_ms_p50", floor_clang_p50);
  hb::print_figure("source_to_floor_ratio", edit_p50 / floor_p50);
  hb::print_figure("source_to_floor_ratio_clang", clang_p50 / floor_clang_p50);
  hb::print_figure("source_first_compile_to_floor_ratio", gcc.first_ms / floor_p50);
  hb::print_figure("module_image_to_floor_ratio", gcc.image_bytes / floor_bytes);
  hb::print_figure("source_heavy_edit_to_running_ms_p50", heavy_p50);
  hb::print_figure("floor_heavy_ms_p50", floor_heavy_p50);
  hb::print_figure("source_heavy_to_floor_ratio", heavy_p50 / floor_heavy_p50);
  return 0;
}
