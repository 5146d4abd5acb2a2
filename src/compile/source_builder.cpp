#include "compile/source_builder.hpp"
#include "compile/wall_clock.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <future>
#include <memory>
#include <thread>
#include <utility>

#include "compile/abi_flags.hpp"
#include "compile/content_hash.hpp"
#include "compile/depfile.hpp"
#include "compile/diagnostics.hpp"
#include "compile/leading_includes.hpp"
#include "compile/pch.hpp"
#include "loader/module_kinds.hpp"
#include "process/run.hpp"
#include "text/read_file.hpp"

#ifndef HOTMOD_INCLUDE_DIR
#error "HOTMOD_INCLUDE_DIR names the folder holding hotmod/module.hpp (set by src/CMakeLists.txt)"
#endif

namespace hotmod::compile {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;

bool is_source_file(const fs::path& p) {
  return loader::has_kind_extension(ModuleKind::source, p);
}

// Flags that matter when linking as well as compiling.
bool link_relevant(const std::string& flag) {
  return flag.starts_with("-fsanitize") || flag.starts_with("-fno-sanitize") ||
         flag == "-pthread" || flag.starts_with("-m") || flag.starts_with("-static-lib");
}

// "m" -> -lm; relative paths ("-Lbuild/lib", "lib/libfoo.a") against the
// project folder, so every link step finds them wherever it runs.
std::string library_arg(const std::string& lib, const fs::path& project) {
  auto absolute = [&](const std::string& p) {
    return fs::path(p).is_absolute() ? p : (project / p).lexically_normal().string();
  };
  if (lib.starts_with("-L")) return "-L" + absolute(lib.substr(2));
  if (lib.starts_with("-")) return lib;
  if (lib.find('/') != std::string::npos) return absolute(lib);
  return "-l" + lib;
}

std::string ms(std::chrono::nanoseconds d) {
  return fmt::format("{} ms", std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

}  // namespace

std::vector<fs::path> module_sources(const fs::path& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return {root};
  std::vector<fs::path> out;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    const std::string base = it->path().filename().string();
    if (base.starts_with(".") || base == "CMakeFiles") {  // CMake's probes have a main()
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file(ec) && is_source_file(it->path())) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

// Sorted, once each, without the precompiled header and hotmod's own work
// files in `work`: not inputs a user edits.
void without_work_files(std::vector<fs::path>& inputs, const fs::path& work) {
  std::sort(inputs.begin(), inputs.end());
  inputs.erase(std::unique(inputs.begin(), inputs.end()), inputs.end());
  const std::string dir = work.string();
  std::erase_if(inputs, [&](const fs::path& f) {
    const std::string s = f.string();
    return s.starts_with(dir) || s.ends_with(".gch") || s.ends_with(".pch");
  });
}

}  // namespace

struct SourceBuilder::Plan {
  Toolchain tc;
  std::vector<fs::path> sources;
  std::vector<std::vector<std::string>> flags;  // per source, without -c/-o/depfile
  std::vector<std::string> link;                // after the objects
  std::string recipe;
  // Library headers the sources include first (all of them, in order),
  // precompiled with hotmod's own; filled when compiling.
  std::vector<std::string> pch_headers;
};

fs::path SourceBuilder::project_dir() const {
  return options_.project_dir.empty() ? fs::current_path() : options_.project_dir;
}

SourceBuilder::SourceBuilder(RuntimeOptions::Cxx options,
                             std::function<void(LogLevel, std::string)> log,
                             std::chrono::seconds compile_limit)
    : options_(std::move(options)),
      log_(std::move(log)),
      compile_limit_(compile_limit),
      cache_(options_.cache_dir.empty() ? default_cache_dir() : options_.cache_dir) {}

SourceBuilder::~SourceBuilder() {
  // A PCH build in the background is finished, not thrown away: the next
  // process (`hotmod build` runs, tests, restarts) uses it. It never waits
  // for another process's build, and the compile limit bounds its own.
  std::lock_guard lock(pch_mu_);
  for (auto& [key, build] : pch_builds_) {
    build.start->open();  // its compile has returned
    build.future.wait();
  }
}

void SourceBuilder::start_pch_build(const Plan& p, const std::string& key,
                                    std::shared_ptr<PchStart> start) {
  // Under pch_mu_.
  const Toolchain tc = p.tc;
  const std::vector<std::string> flags = p.flags.front();
  const std::vector<std::string> headers = p.pch_headers;
  const fs::path root = cache_.root();
  const std::chrono::nanoseconds limit = compile_limit_;
  std::shared_future<void> go = start->go.get_future().share();
  auto build = [this, tc, flags, headers, root, limit, go] {
    go.wait();
    const auto t0 = Clock::now();
    PchOutcome o;
    try {
      o = ensure_pch(tc, flags, headers, root, nullptr, limit, PchWait::unless_busy);
    } catch (const std::exception& e) {
      o.error = e.what();
    }
    if (o.built)
      log_(LogLevel::info, fmt::format("built the precompiled header for source modules in {} "
                                       "(once per flag set)",
                                       ms(Clock::now() - t0)));
    else if (!o.ok && !o.error.empty())
      log_(LogLevel::warn, fmt::format("compiling without a precompiled header: {}", o.error));
    return o;
  };
  // The entry first: a throwing insertion must not discard a future whose
  // task waits for a gate this thread would only open after it.
  auto [entry, added] = pch_builds_.try_emplace(key);
  try {
    entry->second = {++pch_build_count_, start, std::async(std::launch::async, build).share()};
  } catch (...) {
    pch_builds_.erase(entry);
    throw;
  }
}

bool SourceBuilder::precompiled_header(const Plan& p, const std::atomic<bool>* cancel, Pch* use,
                                       bool* text, std::shared_ptr<PchStart>* gate) {
  const std::vector<std::string>& flags = p.flags.front();
  const std::string key = pch_dir(p.tc, flags, p.pch_headers, cache_.root()).string();
  PchBuild building;
  {
    std::lock_guard lock(pch_mu_);
    if (auto it = pch_builds_.find(key); it != pch_builds_.end()) building = it->second;
  }
  if (building.future.valid()) {
    // Started for an earlier compile: waiting costs less than compiling
    // the header's text again, and every compile after the first one uses
    // the same header the same way. Needed now: no longer after that compile.
    building.start->open();
    while (building.future.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready)
      if (cancel != nullptr && cancel->load()) return false;
    std::lock_guard lock(pch_mu_);
    // Only this build's entry: a newer one may have replaced it. (The copy
    // held here keeps erasing it from blocking on its thread.)
    if (auto it = pch_builds_.find(key); it != pch_builds_.end() && it->second.id == building.id)
      pch_builds_.erase(it);
  }
  // Found as usual once built; checked (its headers unchanged) each time.
  PchOutcome found = ensure_pch(p.tc, flags, p.pch_headers, cache_.root(), cancel, compile_limit_,
                                PchWait::find_only);
  if (found.ok) {
    *use = found.pch;
    return true;
  }
  // None ready. One file: this compile reads the header's text, as fast as
  // building the PCH, and the PCH is built for the next compiles as soon as
  // this one's compiler is done (`gate`): side by side, the two slow each
  // other down (by 9% on two cores). A compile that needs it meanwhile
  // starts it at once and waits for it. The same after a background build
  // that failed (it said why): the next compile tries again, still without
  // waiting. Several files would each read the text: build it first, as
  // always.
  if (p.sources.size() == 1) {
    if (std::optional<Pch> header = pch_text(p.tc, flags, p.pch_headers, cache_.root())) {
      std::lock_guard lock(pch_mu_);
      *use = std::move(*header);
      *text = true;
      if (!pch_builds_.contains(key)) {  // unless another compile started it
        *gate = std::make_shared<PchStart>();
        start_pch_build(p, key, *gate);
      }
      return true;
    }
  }
  const auto t0 = Clock::now();
  PchOutcome pch = ensure_pch(p.tc, flags, p.pch_headers, cache_.root(), cancel, compile_limit_);
  if (pch.ok) {
    *use = pch.pch;
    if (pch.built)
      log_(LogLevel::info, fmt::format("built the precompiled header for source modules in {} "
                                       "(once per flag set)",
                                       ms(Clock::now() - t0)));
    return true;
  }
  if (cancel != nullptr && cancel->load()) return false;
  log_(LogLevel::warn, fmt::format("compiling without a precompiled header: {}", pch.error));
  return true;
}

std::optional<SourceBuilder::Plan> SourceBuilder::plan(const std::string& name,
                                                       const fs::path& root, BuildResult* out) {
  Plan p;
  std::optional<CompileDatabase> db;
  {
    std::lock_guard lock(mu_);
    if (!toolchain_) toolchain_ = find_toolchain(options_);
    if (!toolchain_->ok()) {
      out->failure = Failure::build_failed;
      out->error = toolchain_->error().message;
      return std::nullopt;
    }
    p.tc = toolchain_->value();
    if (!db_searched_) {
      db_searched_ = true;
      const fs::path project = project_dir();
      std::optional<fs::path> file;
      if (!options_.compile_commands.empty())
        file = options_.compile_commands.is_absolute() ? options_.compile_commands
                                                       : project / options_.compile_commands;
      else if (options_.use_compile_commands)
        file = find_compile_database(project);
      if (file) {
        Result<CompileDatabase> loaded = CompileDatabase::load(*file);
        if (loaded.ok()) {
          db_ = std::move(loaded.value());
          log_(LogLevel::debug,
               fmt::format("source modules use the flags of '{}'", file->string()));
        } else {
          log_(LogLevel::warn,
               fmt::format("{}; source modules are compiled without it", loaded.error().message));
        }
      }
    }
    db = db_;
  }
  p.sources = module_sources(root);
  if (p.sources.empty()) {
    out->failure = Failure::build_failed;
    out->error = fmt::format(
        "source module '{}' has no .cpp, .cc or .cxx files in '{}'; add one or remove the "
        "folder's hotmod.module marker",
        name, root.string());
    return std::nullopt;
  }
  const fs::path project = project_dir();
  const HostAbi host = host_abi();
  KeyHasher recipe;
  recipe.add(name).add(p.tc.identity).add(p.tc.linker_flag);
  recipe.add(options_.precompiled_header ? "pch" : "no-pch");
  for (const fs::path& src : p.sources) {
    // -pipe: no temporary files between the compiler's stages.
    std::vector<std::string> f = {"-O0", "-g", "-fPIC", "-fvisibility=hidden", "-pipe"};
    // Inline statics would become STB_GNU_UNIQUE symbols, which keep an
    // image from ever unloading (as hotmod_add_module() does for CMake builds).
    if (p.tc.family == CompilerFamily::gcc) f.push_back("-fno-gnu-unique");
    if (db)
      if (std::optional<std::vector<std::string>> project_flags = db->flags_for(src))
        f.insert(f.end(), project_flags->begin(), project_flags->end());
    f.push_back("-I" HOTMOD_INCLUDE_DIR);
    for (const fs::path& dir : options_.include_dirs)
      f.push_back("-I" + (dir.is_absolute() ? dir : project / dir).lexically_normal().string());
    for (const std::string& d : options_.defines) f.push_back("-D" + d);
    f.insert(f.end(), options_.flags.begin(), options_.flags.end());
    std::vector<std::string> mismatches = abi_mismatches(f, host);
    if (!mismatches.empty()) {
      std::string list;
      for (const std::string& m : mismatches) list += (list.empty() ? "" : "; ") + m;
      out->failure = Failure::abi_mismatch;
      out->error = fmt::format(
          "source module '{}' would be compiled with flags that change the ABI: {}; remove them "
          "from cxx.flags (or the project's compile_commands.json) or build the host with the "
          "same flags",
          name, list);
      return std::nullopt;
    }
    std::vector<std::string> added = host_abi_flags(f, host);
    f.insert(f.end(), added.begin(), added.end());
    recipe.add(src.string());
    for (const std::string& flag : f) recipe.add(flag);
    p.flags.push_back(std::move(f));
  }
  for (const std::string& flag : p.flags.front())
    if (link_relevant(flag)) p.link.push_back(flag);
  for (const std::string& lib : options_.link_libraries)
    p.link.push_back(library_arg(lib, project));
  for (const std::string& l : p.link) recipe.add(l);
  p.recipe = recipe.hex();
  return p;
}

BuildResult SourceBuilder::build(const std::string& name, const fs::path& root, bool allow_compile,
                                 const std::atomic<bool>* cancel, bool colour) {
  const auto start = Clock::now();
  BuildResult out;
  std::optional<Plan> p = plan(name, root, &out);
  if (p) {
    std::string damaged;
    if (std::string unsafe = cache_.folder_problem(); !unsafe.empty()) {
      out.failure = Failure::untrusted;
      out.error = fmt::format(
          "source module '{}' is neither built nor loaded from the build cache: {}; another "
          "user could put code there that this process would run. Fix that, or set "
          "cxx.cache_dir to a folder of your own",
          name, unsafe);
    } else if (std::optional<CacheEntry> hit = cache_.lookup(p->recipe, ".so", &damaged)) {
      out.ok = true;
      out.artifact = hit->artifact;
      out.key = hit->key;
      out.inputs = std::move(hit->inputs);
    } else if (!damaged.empty() && !allow_compile) {
      out.failure = Failure::untrusted;
      out.error = fmt::format(
          "source module '{}' is not loaded: its build in the cache, {}; run `hotmod build {}` "
          "to build it again, then restart",
          name, damaged, name);
    } else if (!allow_compile) {
      out.failure = Failure::build_failed;
      out.error = fmt::format(
          "source module '{}' has no build of its current sources in the cache '{}', and "
          "production mode runs no compiler; run `hotmod build {}` with the same configuration "
          "before starting, or use dev mode",
          name, cache_.root().string(), name);
    } else {
      if (!damaged.empty())
        log_(LogLevel::warn,
             fmt::format("source module '{}': {}; building it again", name, damaged));
      compile(name, *p, cancel, colour, &out);
    }
  }
  out.duration = Clock::now() - start;
  return out;
}

void SourceBuilder::compile(const std::string& name, Plan& p, const std::atomic<bool>* cancel,
                            bool colour, BuildResult* out) {
  out->compiled = true;
  Result<fs::path> work = cache_.work_dir(name);
  if (!work.ok()) {
    out->failure = Failure::build_failed;
    out->error = work.error().message;
    return;
  }
  const fs::path dir = work.value();
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{dir};

  // Compiles run in the project folder, not the work folder (every path is
  // absolute): debuggers find sources from it, and ccache hashes it with -g,
  // so a fresh work folder per build would never hit.
  const fs::path where = project_dir();
  std::vector<fs::path> inputs;
  std::vector<std::string> pch_flags;
  bool pch_is_text = false;  // the header's text, not a PCH
  // Starts the background PCH build (precompiled_header()) when this
  // compile no longer needs the processor, whichever way it ends.
  struct PchGate {
    std::shared_ptr<PchStart> open;
    void release() {
      if (open) std::exchange(open, nullptr)->open();
    }
    ~PchGate() { release(); }
  } pch_gate;
  // A distributed compile preprocesses here and sends the text: a PCH only
  // costs time there.
  const std::string launcher_name =
      p.tc.launcher.empty() ? "" : fs::path(p.tc.launcher.front()).filename().string();
  const bool distributed = launcher_name == "distcc" || launcher_name == "icecc";
  if (options_.precompiled_header && !distributed) {
    for (const fs::path& src : p.sources)
      for (std::string& h : leading_library_includes(text::read_whole_file(src).value_or("")))
        if (std::find(p.pch_headers.begin(), p.pch_headers.end(), h) == p.pch_headers.end())
          p.pch_headers.push_back(std::move(h));
    Pch pch;
    if (!precompiled_header(p, cancel, &pch, &pch_is_text, &pch_gate.open)) {
      out->cancelled = true;
      out->failure = Failure::build_failed;
      out->error = fmt::format("compiling module '{}' was cancelled", name);
      return;
    }
    pch_flags = std::move(pch.use_flags);
    inputs = std::move(pch.inputs);
  }

  // Inputs modified after this moment were edited during the compile (the
  // PCH, built above, is not one of them).
  const std::int64_t started = now_ns();
  // ccache caches PCH users only with this sloppiness (its manual,
  // "Precompiled headers"), added to the user's own.
  std::vector<std::string> env;
  if (!p.tc.launcher.empty() && fs::path(p.tc.launcher.front()).filename() == "ccache" &&
      !pch_flags.empty() && !pch_is_text) {
    const char* theirs = std::getenv("CCACHE_SLOPPINESS");
    env.push_back(std::string("CCACHE_SLOPPINESS=pch_defines,time_macros") +
                  (theirs != nullptr && *theirs != '\0' ? std::string(",") + theirs : ""));
  }
  const std::string colour_flag =
      colour ? "-fdiagnostics-color=always" : "-fdiagnostics-color=never";
  const fs::path artifact = dir / (name + ".so");
  const std::size_t n = p.sources.size();
  // One file and no launcher: compile and link in one process. A launcher
  // (ccache, distcc) only handles `-c` compiles.
  const bool one_step = n == 1 && p.tc.launcher.empty();
  std::vector<process::Command> commands(n);
  std::vector<fs::path> objects(n), depfiles(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<std::string> args = p.tc.launcher;
    // distccd runs only compilers named as it knows them (c++, g++, from
    // /usr/lib/distcc), never an absolute path elsewhere.
    args.push_back(distributed && find_program(p.tc.compiler.filename().string()) == p.tc.compiler
                       ? p.tc.compiler.filename().string()
                       : p.tc.compiler.string());
    args.insert(args.end(), p.flags[i].begin(), p.flags[i].end());
    args.insert(args.end(), pch_flags.begin(), pch_flags.end());
    depfiles[i] = dir / (std::to_string(i) + ".d");
    objects[i] = dir / (std::to_string(i) + ".o");
    args.insert(args.end(), {colour_flag, "-MD", "-MF", depfiles[i].string()});
    if (one_step) {
      args.insert(args.end(), {p.sources[i].string(), "-shared"});
      if (!p.tc.linker_flag.empty()) args.push_back(p.tc.linker_flag);
      args.insert(args.end(), {"-o", artifact.string()});
      args.insert(args.end(), p.link.begin(), p.link.end());
    } else {
      args.insert(args.end(), {"-c", p.sources[i].string(), "-o", objects[i].string()});
    }
    commands[i] = {std::move(args), where, env};
  }
  // A module of several files compiles only those whose inputs changed: each
  // file's object is cached like a module, under a recipe of its flags and
  // the precompiled header it used, then all are linked.
  std::vector<std::string> object_recipes(one_step ? 0 : n);
  std::vector<std::vector<fs::path>> object_inputs(n);
  std::vector<std::size_t> to_compile;
  for (std::size_t i = 0; i < n; ++i) {
    if (!one_step) {
      KeyHasher recipe;
      recipe.add("object").add(p.tc.identity).add(p.sources[i].string());
      // distcc runs the compiler elsewhere, by name: not the same compiler.
      for (const std::string& word : p.tc.launcher) recipe.add(word);
      for (const std::string& flag : p.flags[i]) recipe.add(flag);
      for (const std::string& flag : pch_flags) recipe.add(flag);
      object_recipes[i] = recipe.hex();
      if (std::optional<CacheEntry> hit = cache_.lookup(object_recipes[i], ".o")) {
        objects[i] = hit->artifact;
        object_inputs[i] = std::move(hit->inputs);
        continue;
      }
    }
    to_compile.push_back(i);
  }
  log_(LogLevel::debug,
       fmt::format("compiling module '{}': {}{}{}", name,
                   to_compile.empty() ? std::string("nothing (every file's object is cached)")
                                      : process::shell_join(commands[to_compile.front()].argv),
                   to_compile.size() > 1 ? fmt::format(" (and {} more)", to_compile.size() - 1)
                                         : std::string(),
                   to_compile.size() < n
                       ? fmt::format("; {} of {} files unchanged", n - to_compile.size(), n)
                       : std::string()));

  std::vector<process::Outcome> runs(to_compile.size());  // of the files compiled
  std::atomic<std::size_t> next{0};
  // One limit for the module's compiles and link together, from now.
  const auto deadline = std::chrono::steady_clock::now() + compile_limit_;
  auto time_left = [&]() -> std::chrono::nanoseconds {
    if (compile_limit_.count() == 0) return {};
    return std::max(std::chrono::nanoseconds(1), deadline - std::chrono::steady_clock::now());
  };
  auto worker = [&] {
    for (std::size_t k; (k = next.fetch_add(1)) < to_compile.size();) {
      if (compile_limit_.count() != 0 && std::chrono::steady_clock::now() >= deadline) {
        runs[k].started = true;  // not started at all: the time was up before
        runs[k].timed_out = true;
        runs[k].limit = compile_limit_;
        continue;
      }
      runs[k] = process::run(commands[to_compile[k]], cancel, time_left());
    }
  };
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t jobs =
      std::min<std::size_t>(to_compile.size(), options_.jobs == 0 ? cores : options_.jobs);
  std::vector<std::thread> pool;
  for (std::size_t j = 1; j < jobs; ++j) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  pch_gate.release();

  bool failed = false;
  bool timed_out = false;
  for (const process::Outcome& r : runs) {
    out->output += r.output;
    out->cancelled = out->cancelled || r.cancelled;
    timed_out = timed_out || r.timed_out;
    failed = failed || !r.ok();
  }
  // What each compiled file read. Its object goes into the cache even when
  // another file failed: fixing that one then compiles only that one.
  std::string unknown_deps;
  for (std::size_t k = 0; k < to_compile.size(); ++k) {
    const std::size_t i = to_compile[k];
    if (!runs[k].ok()) continue;
    std::string why;
    std::optional<std::vector<fs::path>> deps = read_depfile(depfiles[i], where, &why);
    if (!deps) {
      unknown_deps = why;
      continue;
    }
    object_inputs[i] = inputs;  // the precompiled header's
    object_inputs[i].push_back(p.sources[i]);
    object_inputs[i].insert(object_inputs[i].end(), deps->begin(), deps->end());
    without_work_files(object_inputs[i], dir);
    // Not from a build a newer save cancelled: a header saved after this
    // file's compile would be recorded with contents it never saw.
    if (one_step || (cancel != nullptr && cancel->load())) continue;
    Result<CacheEntry> stored =
        cache_.store(object_recipes[i], objects[i], object_inputs[i], started, ".o");
    if (stored.ok())
      objects[i] = stored->artifact;
    else  // linked from the work folder, where it still is
      log_(LogLevel::warn, stored.error().message);
  }
  if (!failed && !one_step) {
    std::vector<std::string> args = {p.tc.compiler.string(), "-shared"};
    if (!p.tc.linker_flag.empty()) args.push_back(p.tc.linker_flag);
    args.push_back(colour_flag);
    args.insert(args.end(), {"-o", artifact.string()});
    for (const fs::path& o : objects) args.push_back(o.string());
    args.insert(args.end(), p.link.begin(), p.link.end());
    process::Outcome link = process::run({std::move(args), where}, cancel, time_left());
    out->output += link.output;
    out->cancelled = out->cancelled || link.cancelled;
    timed_out = timed_out || link.timed_out;
    failed = !link.ok();
    if (failed && !link.started) out->output += fmt::format("{}\n", link.error);
  }
  if (failed) {
    for (const process::Outcome& r : runs)
      if (!r.started) out->output += fmt::format("{}\n", r.error);
    out->failure = Failure::build_failed;
    if (out->cancelled) {
      out->error = fmt::format("compiling module '{}' was cancelled", name);
      return;
    }
    if (timed_out) {
      out->failure = Failure::timed_out;
      out->error = fmt::format(
          "compiling module '{}' was stopped after {} s, its time limit; raise limits.compile_s "
          "in hotmod.json if it needs longer",
          name, compile_limit_.count());
      return;
    }
    out->messages = parse_diagnostics(out->output);
    // The files the compiler complained about: saving any of them retries,
    // even a header the last good build did not include.
    for (const CompilerMessage& m : out->messages)
      if (!m.file.empty()) {
        const fs::path f = fs::path(m.file).is_absolute() ? fs::path(m.file) : where / m.file;
        out->inputs.push_back(f.lexically_normal());
      }
    if (!out->messages.empty()) {
      out->error = fmt::format("module '{}' does not compile: {}", name, summarize(out->messages));
      if (const std::string h = hint(out->messages); !h.empty()) out->error += "; " + h;
      return;
    }
    // No compiler message: the launcher, or the compiler itself, failed.
    std::string what;
    for (const process::Outcome& r : runs)
      if (!r.ok()) {
        what = r.started ? r.describe() : r.error;
        break;
      }
    std::string last = out->output;
    while (!last.empty() && (last.back() == '\n' || last.back() == ' ')) last.pop_back();
    if (const std::size_t nl = last.rfind('\n'); nl != std::string::npos) last.erase(0, nl + 1);
    const std::string tool = launcher_name.empty()
                                 ? p.tc.compiler.filename().string()
                                 : fmt::format("through cxx.launcher '{}'", launcher_name);
    out->error = fmt::format("compiling module '{}' failed ({}{}{}){}{}", name, tool,
                             what.empty() ? "" : ", ", what, last.empty() ? "" : ": ", last);
    return;
  }
  if (!unknown_deps.empty()) {
    out->failure = Failure::build_failed;
    out->error = fmt::format("module '{}' compiled, but its dependencies are unknown: {}", name,
                             unknown_deps);
    return;
  }
  for (std::vector<fs::path>& file_inputs : object_inputs)
    inputs.insert(inputs.end(), file_inputs.begin(), file_inputs.end());
  without_work_files(inputs, dir);
  Result<CacheEntry> stored = cache_.store(p.recipe, artifact, inputs, started);
  if (!stored.ok()) {
    out->failure = Failure::build_failed;
    out->error = stored.error().message;
    return;
  }
  out->ok = true;
  out->artifact = stored.value().artifact;
  out->key = stored.value().key;
  out->inputs = std::move(inputs);
}

}  // namespace hotmod::compile
