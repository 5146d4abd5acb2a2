// hotmod/options.hpp — how a Runtime is set up: module paths, commit
// policy, capabilities, dev mode, watching, build rules, how source modules
// compile, slow thresholds, tracing. Usually filled by load_config()
// (hotmod/config.hpp) from hotmod.json, the environment and flags.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "hotmod/context.hpp"
#include "hotmod/value.hpp"
#include "hotmod/watcher.hpp"

namespace hotmod {

// When a prepared new version becomes current.
enum class CommitPolicy {
  immediate,   // reload() swaps as soon as the new version is ready
  safe_point,  // reload() prepares it; the host commits with apply_pending()
};

struct RuntimeOptions {
  // Folders searched recursively, in order; the first module of a name wins.
  std::vector<std::filesystem::path> module_paths;
  CommitPolicy commit = CommitPolicy::immediate;
  // Where versioned copies of module files go; default: $TMPDIR (or /tmp)
  // /hotmod-versions-<uid> (mode 0700, must be yours). Each process uses its own subfolder and
  // removes the subfolders of processes that no longer run.
  std::filesystem::path versions_dir;
  // What the runtime remembers across restarts: quarantine.json, the module
  // files that crashed (a file that crashed is not loaded again until it
  // changes). Default: $XDG_STATE_HOME/hotmod, else ~/.local/state/hotmod.
  std::filesystem::path state_dir;
  // Capabilities a module declares it needs (HOTMOD_MODULE's last
  // arguments; a script's `_capabilities`) must be granted, or it does not
  // load. `capabilities` grants to every module, `module_capabilities` to
  // one (hotmod.json: "capabilities": {"*": [...], "net": ["net:listen"]}).
  // "*" grants everything. Nothing is granted by default: script modules get
  // io and os only with "lua:io" and "lua:os".
  std::vector<std::string> capabilities;
  std::map<std::string, std::vector<std::string>, std::less<>> module_capabilities;
  // Per-module config sections, handed to on_load as ctx.config().
  std::map<std::string, Value, std::less<>> module_config;
  // Receives every log line; default: stderr via spdlog.
  std::function<void(LogLevel, std::string_view)> log_sink;
  LogLevel log_level = LogLevel::info;

  // Dev mode: watch the module files and reload on change (unless
  // hot_reload is false), per-stage timings, debug logging with source
  // locations, stack traces for crashes and escaping exceptions. Production
  // mode: no watcher thread, no build commands, counters only. See
  // set_dev_mode(). Reloads on change run on the watcher's worker thread, so
  // on_unload/on_load run there too; a module bound to one thread (OpenGL,
  // a UI toolkit) wants CommitPolicy::safe_point and apply_pending() on
  // that thread.
  bool dev_mode = false;
  bool hot_reload = true;
  // Crash containment: a fatal signal in module code (SIGSEGV, SIGBUS,
  // SIGFPE, SIGILL, abort(), std::terminate, a stack overflow) fails the
  // call into the module with Failure::crashed — a Ref<I> call throws
  // hotmod::ModuleCrashed — and the host keeps running. A crash in the
  // host's own code is left to the host's handler or the default action.
  // `dev`: in dev mode (the default); `always`: in production too; `off`.
  // hotmod.json: "contain_crashes": "dev" | "always" | "off".
  enum class Containment { dev, always, off };
  Containment contain_crashes = Containment::dev;
  // Per file, the quiet time before a change is reloaded. A module file its
  // editor or linker closed after writing, or renamed into place, is
  // complete and reloaded at once; the debounce is for the rest (a touch,
  // a removal, polled folders, a build rule's sources).
  std::chrono::milliseconds debounce{30};
  WatchBackend watch_backend = WatchBackend::automatic;
  std::chrono::milliseconds poll_interval{100};
  std::vector<std::string> watch_exclude;  // globs, added to the defaults
  // Library modules hotmod rebuilds itself: a change to one of `sources`
  // runs `command` (through /bin/sh, in `directory`), then reloads the
  // module. A failed build keeps the running version and reports the
  // build's output (Stage::build).
  struct BuildRule {
    std::string command;
    std::vector<std::string> sources;  // globs, relative to `directory`
    std::filesystem::path directory;
  };
  std::map<std::string, BuildRule, std::less<>> builds;

  // How hotmod compiles source modules (`name.cpp`, or a folder holding a
  // `hotmod.module` file) into shared objects: the configured compiler and
  // flags, plus the project's include dirs, defines and standard from its
  // compile_commands.json. Flags that change the ABI (-std,
  // _GLIBCXX_USE_CXX11_ABI, -fno-rtti, -fno-exceptions, sanitizers) follow
  // the host's unless given, and are refused when they differ from it.
  // Results are cached (see cache_dir); production mode never compiles and
  // loads source modules only from the cache (`hotmod build` fills it).
  struct Cxx {
    std::string compiler;            // default: $CXX, else "c++"
    std::vector<std::string> flags;  // after the defaults -O0 -g -fPIC -fvisibility=hidden
    std::vector<std::filesystem::path> include_dirs;
    std::vector<std::string> defines;         // "NAME" or "NAME=VALUE"
    std::vector<std::string> link_libraries;  // "m", "-lm", "-Lfolder" or a library's path
    // Runs every compile: "ccache", "sccache", "distcc", "icecc" (with arguments).
    std::string launcher;
    // Default: compile_commands.json in `project_dir` or its build folder
    // (build/, build/*/), or in a parent folder. "" with use_compile_commands
    // false: none.
    std::filesystem::path compile_commands;
    bool use_compile_commands = true;
    std::filesystem::path project_dir;  // default: the config file's folder, else the cwd
    std::filesystem::path cache_dir;    // default: $XDG_CACHE_HOME/hotmod, else ~/.cache/hotmod
    std::string linker = "auto";        // auto (mold, else lld, else default), mold, lld, default
    bool precompiled_header = true;     // <hotmod/module.hpp> and common std headers
    unsigned jobs = 0;                  // parallel compiles of one module; 0: one per core
  } cxx;
  // A load or reload slower than this is flagged in performance_report()
  // and logged as a warning (hotmod.json: "performance": {"slow_ms": {...}}).
  struct SlowThresholds {
    double library_ms = 5;
    double source_ms = 1000;  // includes the compile
    double script_ms = 20;
    double scan_ms = 100;
  } slow;
  // How much a build, a compile or a call into a script module may take
  // before hotmod stops it (Failure::timed_out; the running version keeps
  // serving). 0: no limit. hotmod.json: "limits": {"build_s": 600, ...}.
  struct Limits {
    std::chrono::seconds build{600};    // a module's build rule ("build_s")
    std::chrono::seconds compile{300};  // a source module's compile and link ("compile_s")
    // One of a native module's hooks — on_load, on_unload, its self-test,
    // migration, dependency hook or static constructors — past which it is
    // stopped where it is, as a crash is contained ("hook_s"; needs crash
    // containment, see contain_crashes).
    std::chrono::seconds hook{60};
    // A call into a version that has since been replaced, still running
    // this long after, holds up that version's unloading: it is reported
    // once, naming the thread and the version ("pinned_call_s"). At
    // shutdown the runtime waits this long for such calls, then leaves
    // their versions in memory rather than wait forever.
    std::chrono::seconds pinned_call{10};
    // A replaced version's code, once its last call returned, stays mapped
    // but inaccessible this long (with crash containment on), so that a
    // call through a pointer kept from it fails naming the version
    // (Failure::stale_call) instead of running stale code
    // ("retired_code_s"; 0: closed at once). The oldest are closed first
    // past `retired_code_mb` of images, or 64 of them. Its static
    // destructors run when it is closed.
    std::chrono::seconds retired_code{300};
    std::uint64_t retired_code_mb = 64;
    // Lua instructions one call into a script module (or its chunk, or a
    // hook) may run before it is stopped: `while true do end` returns an
    // error instead of hanging its callers ("script_instructions").
    std::uint64_t script_instructions = 100'000'000;
    // Memory one script module's interpreter may hold ("script_memory_mb").
    std::uint64_t script_memory_mb = 256;
  } limits;
  // When set, builds, loads and reloads are written to this file as Chrome
  // trace events from the start (open it in Perfetto or chrome://tracing).
  std::filesystem::path trace_file;
  // Shown as warnings when the runtime starts (see load_config()).
  std::vector<std::string> config_warnings;
};

}  // namespace hotmod
