#include "config/config_schema.hpp"

#include <fmt/format.h>

#include <array>

#include "config/cxx_keys.hpp"
#include "config/json_lines.hpp"
#include "config/schema_values.hpp"
#include "config/text_values.hpp"

namespace hotmod::config {
namespace fs = std::filesystem;
namespace {

// ---- handlers, one per leaf key ---------------------------------------------

std::string dev_mode(const Use& u, FileSettings& out) {
  out.layer.dev_mode = u.value.get<bool>();
  return {};
}

std::string hot_reload(const Use& u, FileSettings& out) {
  out.layer.hot_reload = u.value.get<bool>();
  return {};
}

std::string module_paths(const Use& u, FileSettings& out) {
  for (const std::string& p : strings_of(u.value)) {
    if (p.empty())
      return fmt::format("{} holds an empty path; remove it or name a folder", in_quotes(u.key));
    out.layer.module_paths.push_back(resolve(u.folder, p));
  }
  return {};
}

std::string log_level(const Use& u, FileSettings& out) {
  const auto& text = u.value.get_ref<const std::string&>();
  out.layer.log_level = parse_log_level(text);
  return out.layer.log_level ? std::string() : must_be_one_of(u.key, text, kLogLevels);
}

// Integers past a day are refused: nobody means them, and the watcher
// converts to nanoseconds, where they could overflow.
std::string millis_problem(const Use& u) {
  if (u.value.get<std::uint64_t>() <= kMaxMillis) return {};
  return fmt::format("{} is {} ms, more than a day; use at most {}", in_quotes(u.key),
                     u.value.dump(), kMaxMillis);
}

std::string debounce(const Use& u, FileSettings& out) {
  if (auto problem = millis_problem(u); !problem.empty()) return problem;
  out.layer.debounce = std::chrono::milliseconds(u.value.get<std::int64_t>());
  return {};
}

std::string watch_backend(const Use& u, FileSettings& out) {
  const auto& text = u.value.get_ref<const std::string&>();
  out.layer.watch_backend = parse_watch_backend(text);
  return out.layer.watch_backend ? std::string() : must_be_one_of(u.key, text, kWatchBackends);
}

std::string poll_interval(const Use& u, FileSettings& out) {
  if (auto problem = millis_problem(u); !problem.empty()) return problem;
  out.layer.poll_interval = std::chrono::milliseconds(u.value.get<std::int64_t>());
  return {};
}

std::string watch_exclude(const Use& u, FileSettings& out) {
  out.watch_exclude = strings_of(u.value);
  return {};
}

// `"capabilities": [...]` grants to every module; the object form grants
// per module, "*" standing for every module.
std::string capabilities(const Use& u, FileSettings& out) {
  if (u.value.is_array()) out.capabilities = strings_of(u.value);
  return {};
}

std::string module_capabilities(const Use& u, FileSettings& out) {
  if (u.name == "*") {
    out.capabilities = strings_of(u.value);
  } else {
    out.module_capabilities[std::string(u.name)] = strings_of(u.value);
  }
  return {};
}

std::string slow_ms(const Use& u, FileSettings& out) {
  if (!u.value.is_number() || u.value.get<double>() <= 0)
    return fmt::format("{} is {}; give a time in milliseconds above 0, e.g. 5 or 2.5",
                       in_quotes(u.key), u.value.dump());
  out.slow_ms[std::string(u.key.substr(u.key.rfind('.') + 1))] = u.value.get<double>();
  return {};
}

// Bounded so that no limit overflows a clock or a byte count: a year, a
// terabyte, 2^62 instructions.
std::string limit(const Use& u, FileSettings& out) {
  const std::string name(u.key.substr(u.key.rfind('.') + 1));
  const auto n = u.value.get<std::uint64_t>();
  const bool megabytes = name == "script_memory_mb" || name == "retired_code_mb";
  const std::uint64_t most = name == "script_instructions" ? std::uint64_t{1} << 62
                             : megabytes                   ? std::uint64_t{1} << 20
                                                           : std::uint64_t{366} * 24 * 3600;
  const char* zero =
      name.starts_with("retired_code") ? "0 to close replaced code at once" : "0 for no limit";
  if (n > most)
    return fmt::format("{} is {}; use at most {}, or {}", in_quotes(u.key), n, most, zero);
  out.limits[name] = n;
  return {};
}

std::string trace(const Use& u, FileSettings& out) {
  const auto& text = u.value.get_ref<const std::string&>();
  if (text.empty())
    return fmt::format("{} is empty; name a file or remove the key", in_quotes(u.key));
  out.trace_file = resolve(u.folder, text);
  return {};
}

std::string commit(const Use& u, FileSettings& out) {
  const auto& text = u.value.get_ref<const std::string&>();
  if (text == "immediate") {
    out.commit = CommitPolicy::immediate;
  } else if (text == "safe_point") {
    out.commit = CommitPolicy::safe_point;
  } else {
    return must_be_one_of(u.key, text, "immediate or safe_point");
  }
  return {};
}

std::string contain_crashes(const Use& u, FileSettings& out) {
  const auto& text = u.value.get_ref<const std::string&>();
  using C = RuntimeOptions::Containment;
  if (text == "dev")
    out.contain_crashes = C::dev;
  else if (text == "always")
    out.contain_crashes = C::always;
  else if (text == "off")
    out.contain_crashes = C::off;
  else
    return must_be_one_of(u.key, text, "dev, always or off");
  return {};
}

// A folder setting: not empty, relative to the project file's folder.
std::string folder(const Use& u, std::optional<fs::path>& into) {
  const auto& text = u.value.get_ref<const std::string&>();
  if (text.empty())
    return fmt::format("{} is empty; name a folder or remove the key", in_quotes(u.key));
  into = resolve(u.folder, text);
  return {};
}

std::string versions_dir(const Use& u, FileSettings& out) {
  return folder(u, out.versions_dir);
}

std::string state_dir(const Use& u, FileSettings& out) {
  return folder(u, out.state_dir);
}

std::string module_config(const Use& u, FileSettings& out) {
  out.module_config[std::string(u.name)] = u.value;
  return {};
}

// Build commands run in the file's folder, and their sources are globs
// relative to it (BuildRule::directory), so both stay as written.
std::string module_build(const Use& u, FileSettings& out) {
  const auto& text = u.value.get_ref<const std::string&>();
  if (text.empty())
    return fmt::format("{} is empty; give the command that builds the module", in_quotes(u.key));
  auto& rule = out.builds[std::string(u.name)];
  rule.command = text;
  rule.directory = u.folder;
  return {};
}

std::string module_sources(const Use& u, FileSettings& out) {
  auto& rule = out.builds[std::string(u.name)];
  rule.sources = strings_of(u.value);
  rule.directory = u.folder;
  return {};
}

// ---- the table ---------------------------------------------------------------

// The first row whose pattern matches a key wins, so an exact name goes
// before a "*" at the same depth. The order is also that of the "known keys
// here" lists in messages.
constexpr std::array kRules{
    Rule{"/dev_mode", Type::boolean, "true", dev_mode, "dev_mode"},
    Rule{"/hot_reload", Type::boolean, "true", hot_reload, "hot_reload"},
    Rule{"/module_paths", Type::strings, R"(["build/modules"])", module_paths, "module_paths"},
    Rule{"/log_level", Type::string, R"("info")", log_level, "log_level"},
    Rule{"/debounce_ms", Type::millis, "30", debounce, "debounce_ms"},
    Rule{"/watch", Type::object, R"({"backend": "auto"})", nullptr, ""},
    Rule{"/watch/backend", Type::string, R"("auto")", watch_backend, "watch.backend"},
    Rule{"/watch/poll_interval_ms", Type::positive_millis, "100", poll_interval,
         "watch.poll_interval_ms"},
    Rule{"/watch/exclude", Type::strings, R"(["*.bak"])", watch_exclude, ""},
    Rule{"/capabilities", Type::grants, R"({"net": ["net:listen"], "report": ["lua:io"]})",
         capabilities, "capabilities"},
    Rule{"/capabilities/*", Type::strings, R"(["net:listen"])", module_capabilities, ""},
    Rule{"/performance", Type::object, R"({"slow_ms": {"library": 5}})", nullptr, ""},
    Rule{"/performance/slow_ms", Type::object, R"({"library": 5, "source": 1000})", nullptr, ""},
    Rule{"/performance/slow_ms/library", Type::any, "5", slow_ms, "performance.slow_ms.library"},
    Rule{"/performance/slow_ms/source", Type::any, "1000", slow_ms, "performance.slow_ms.source"},
    Rule{"/performance/slow_ms/script", Type::any, "20", slow_ms, "performance.slow_ms.script"},
    Rule{"/performance/slow_ms/scan", Type::any, "100", slow_ms, "performance.slow_ms.scan"},
    Rule{"/limits", Type::object, R"({"build_s": 600, "script_memory_mb": 256})", nullptr, ""},
    Rule{"/limits/build_s", Type::count, "600", limit, "limits.build_s"},
    Rule{"/limits/compile_s", Type::count, "300", limit, "limits.compile_s"},
    Rule{"/limits/hook_s", Type::count, "60", limit, "limits.hook_s"},
    Rule{"/limits/pinned_call_s", Type::count, "10", limit, "limits.pinned_call_s"},
    Rule{"/limits/retired_code_s", Type::count, "300", limit, "limits.retired_code_s"},
    Rule{"/limits/retired_code_mb", Type::count, "64", limit, "limits.retired_code_mb"},
    Rule{"/limits/script_instructions", Type::count, "100000000", limit,
         "limits.script_instructions"},
    Rule{"/limits/script_memory_mb", Type::count, "256", limit, "limits.script_memory_mb"},
    Rule{"/trace", Type::string, R"("hotmod-trace.json")", trace, "trace"},
    Rule{"/commit", Type::string, R"("immediate")", commit, "commit"},
    Rule{"/contain_crashes", Type::string, R"("dev")", contain_crashes, "contain_crashes"},
    Rule{"/versions_dir", Type::string, R"("/tmp/my-versions")", versions_dir, "versions_dir"},
    Rule{"/state_dir", Type::string, R"("/var/lib/my-service/hotmod")", state_dir, "state_dir"},
    Rule{"/cxx", Type::object, R"({"compiler": "g++"})", nullptr, ""},
    Rule{"/cxx/compiler", Type::string, R"("g++")", cxx_keys::compiler, "cxx.compiler"},
    Rule{"/cxx/flags", Type::strings, R"(["-O1", "-Wall"])", cxx_keys::flags, "cxx.flags"},
    Rule{"/cxx/include_dirs", Type::strings, R"(["include"])", cxx_keys::include_dirs,
         "cxx.include_dirs"},
    Rule{"/cxx/defines", Type::strings, R"(["NDEBUG", "LEVEL=2"])", cxx_keys::defines,
         "cxx.defines"},
    Rule{"/cxx/link_libraries", Type::strings, R"(["m", "-Llib", "lib/libfoo.a"])",
         cxx_keys::link_libraries, "cxx.link_libraries"},
    Rule{"/cxx/launcher", Type::string, R"("ccache")", cxx_keys::launcher, "cxx.launcher"},
    Rule{"/cxx/compile_commands", Type::path_or_switch, R"("build/compile_commands.json")",
         cxx_keys::compile_commands, "cxx.compile_commands"},
    Rule{"/cxx/cache_dir", Type::string, R"(".hotmod-cache")", cxx_keys::cache_dir,
         "cxx.cache_dir"},
    Rule{"/cxx/linker", Type::string, R"("auto")", cxx_keys::linker, "cxx.linker"},
    Rule{"/cxx/precompiled_header", Type::boolean, "true", cxx_keys::precompiled_header,
         "cxx.precompiled_header"},
    Rule{"/cxx/jobs", Type::count, "4", cxx_keys::jobs, "cxx.jobs"},
    Rule{"/modules", Type::object, R"({"physics": {"config": {}}})", nullptr, ""},
    Rule{"/modules/*", Type::object, R"({"config": {}})", nullptr, ""},
    Rule{"/modules/*/config", Type::any, "", module_config, ""},
    Rule{"/modules/*/build", Type::string, R"("cmake --build build --target physics")",
         module_build, ""},
    Rule{"/modules/*/sources", Type::strings, R"(["src/physics/**"])", module_sources, ""},
};

}  // namespace

std::span<const Rule> schema_rules() {
  return kRules;
}

// A rebuild needs a command: `sources` alone would watch files and run
// nothing. Checked on the parsed value, so a `build` of the wrong type (an
// error already) does not also count as missing.
std::vector<CrossKeyProblem> cross_key_problems(const Value& root) {
  std::vector<CrossKeyProblem> out;
  const auto modules = root.find("modules");
  if (modules == root.end() || !modules->is_object()) return out;
  for (const auto& [name, section] : modules->items()) {
    if (!section.is_object() || !section.contains("sources") || section.contains("build")) continue;
    out.push_back({"/modules/" + pointer_token(name) + "/sources",
                   fmt::format("'modules.{0}.sources' needs a build command next to it: add "
                               "\"build\": \"cmake --build build --target {0}\" (or remove "
                               "'sources')",
                               name)});
  }
  return out;
}

}  // namespace hotmod::config
