#include "cli/cmd_new.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "cli/cli_runtime.hpp"
#include "cli/new_module.hpp"
#include "cli/terminal.hpp"
#include "compile/toolchain.hpp"
#include "hotmod/runtime.hpp"
#include "loader/module_kinds.hpp"
#include "process/child.hpp"

namespace hotmod::cli {
namespace fs = std::filesystem;
namespace {

ModuleKind kind_named(const std::string& kind) {
  return parse_module_kind(kind).value_or(ModuleKind::source);  // CLI11 checked the name
}

std::vector<std::string> kind_names() {
  std::vector<std::string> names;
  for (const loader::KindRow& row : loader::module_kinds()) names.emplace_back(to_string(row.kind));
  return names;
}

std::string kind_help() {
  std::string help;
  for (const loader::KindRow& row : loader::module_kinds())
    help.append(help.empty() ? "" : ", ").append(row.description);
  return help;
}

// The global flags as given, to repeat in the commands we suggest.
std::string flags_text(const GlobalOptions& global) {
  std::string out;
  for (const std::string& f : global.flags) out += fmt::format(" {}", f);
  return out;
}

bool write_file(const NewFile& file) {
  std::error_code ec;
  fs::create_directories(file.path.parent_path(), ec);
  std::ofstream out(file.path, std::ios::binary);
  out << file.text;
  out.close();
  if (!out)
    print_error(fmt::format("cannot write {}; is the folder writable?", file.path.string()));
  return static_cast<bool>(out);
}

// hotmod.json's rule for a library module: written into a new hotmod.json
// when there is none (added to `written`); otherwise returned as the text
// to show, for the user to add: we do not rewrite a file that may hold comments.
std::string library_rule(const NewArgs& args, const fs::path& folder, const CommandSetup& setup,
                         const fs::path& cwd, std::vector<std::string>& written) {
  const fs::path project = setup.file ? setup.file->parent_path() : cwd;
  Value rule = {{"build", library_build_command(folder, project, available_generator())},
                {"sources", {library_sources_glob(folder, project)}}};
  if (setup.file)
    return fmt::format(
        "To rebuild it when its sources change (hotmod watch, hotmod repl), add to the "
        "\"modules\" of {}:\n  \"{}\": {}\n",
        display_path(*setup.file), args.name, rule.dump());
  Value paths = Value::array();
  for (const fs::path& p : setup.options.module_paths)
    paths.push_back(p.lexically_relative(cwd).generic_string());
  Value file = {{"module_paths", paths}, {"modules", {{args.name, rule}}}};
  if (write_file({cwd / "hotmod.json", file.dump(2) + "\n"})) written.push_back("hotmod.json");
  return {};
}

// Source and script modules are named by their path below the module
// folder: written deeper than that folder, the name would not match.
std::string placement_problem(const fs::path& dir, const std::string& name,
                              const std::vector<fs::path>& module_paths) {
  for (const fs::path& p : module_paths)
    if (is_below(dir, p)) {
      std::string prefix = dir.lexically_relative(p).generic_string();
      std::replace(prefix.begin(), prefix.end(), '/', '.');
      return fmt::format(
          "{0} is inside the module folder {1}, where this module would be named '{2}.{3}'; "
          "pass --dir {1} and the name {2}.{3}",
          display_path(dir), display_path(p), prefix, name);
    }
  return {};
}

void next_steps(const NewArgs& args, ModuleKind kind, const fs::path& folder,
                const GlobalOptions& global) {
  const std::string flags = flags_text(global);
  if (kind == ModuleKind::library) {
    const std::string f = process::shell_quote(display_path(folder));
    std::printf("Build it:  cmake -S %s -B %s/build && cmake --build %s/build\n", f.c_str(),
                f.c_str(), f.c_str());
  }
  std::printf("Try it:    hotmod%s call %s.greet '\"Ada\"'\n", flags.c_str(), args.name.c_str());
  std::printf("Edit it while `hotmod%s watch %s` runs: each %s reloads it.\n", flags.c_str(),
              args.name.c_str(), kind == ModuleKind::library ? "build" : "save");
}

}  // namespace

CLI::App* add_new_command(CLI::App& app, NewArgs& args) {
  CLI::App* cmd = app.add_subcommand("new", "Write a new module's skeleton, ready to load");
  cmd->add_option("NAME", args.name, "The module's name; dots make folders (tools.math)")
      ->required();
  cmd->add_option("--kind", args.kind, kind_help())->required()->check(CLI::IsMember(kind_names()));
  cmd->add_option("--dir", args.dir,
                  "Where to write it (default: the first module folder; library modules: the "
                  "current folder)");
  cmd->footer(
      "  source:  MODULE_FOLDER/NAME.cpp, compiled by hotmod on first use and on save\n"
      "  script:  MODULE_FOLDER/NAME.lua\n"
      "  library: NAME/NAME.cpp and NAME/CMakeLists.txt (hotmod_add_module), built into\n"
      "           the first module folder; the build rule for hotmod.json is written to a\n"
      "           new hotmod.json, or printed for you to add to yours.\n"
      "Existing files are never overwritten.");
  return cmd;
}

int run_new(const GlobalOptions& global, const NewArgs& args) {
  if (std::string problem = module_name_problem(args.name); !problem.empty())
    return usage_error(problem);
  int exit_code = kExitOk;
  auto setup = setup_runtime(global, &exit_code);
  if (!setup) return exit_code;
  const ModuleKind kind = kind_named(args.kind);
  const fs::path cwd = fs::current_path();
  const fs::path module_dir = setup->options.module_paths.front();
  const fs::path dir = args.dir.empty() ? (kind == ModuleKind::library ? cwd : module_dir)
                                        : (cwd / args.dir).lexically_normal();

  setup->options.hot_reload = false;
  {
    Runtime runtime(setup->options);
    if (std::optional<ModuleInfo> found = runtime.info(args.name)) {
      print_error(fmt::format("a module named '{}' exists already: {}; pick another name",
                              args.name, display_path(found->path)));
      return kExitFailed;
    }
  }
  if (kind != ModuleKind::library)
    if (std::string problem = placement_problem(dir, args.name, setup->options.module_paths);
        !problem.empty())
      return usage_error(problem);
  const NewModule plan = plan_module(args.name, kind, dir, module_dir);
  if (kind == ModuleKind::library)
    for (const fs::path& p : setup->options.module_paths)
      if (is_below(plan.folder, p) || plan.folder == p)
        return usage_error(
            fmt::format("library module sources in a module folder ({}) would be taken for a "
                        "source module; pass --dir outside it",
                        p.string()));
  std::vector<std::string> existing;
  for (const NewFile& f : plan.files)
    if (fs::exists(f.path)) existing.push_back(display_path(f.path));
  if (!existing.empty()) {
    print_error(
        fmt::format("will not overwrite {}; pick another name or remove them", joined(existing)));
    return kExitFailed;
  }

  std::vector<std::string> written;
  for (const NewFile& f : plan.files) {
    if (!write_file(f)) return kExitFailed;
    written.push_back(display_path(f.path));
  }
  std::string rule;
  if (kind == ModuleKind::library) rule = library_rule(args, plan.folder, *setup, cwd, written);
  std::printf("Created %s module '%s': %s\n", args.kind.c_str(), args.name.c_str(),
              joined(written).c_str());
  std::fputs(rule.c_str(), stdout);
  if (!args.dir.empty() && kind != ModuleKind::library &&
      std::none_of(setup->options.module_paths.begin(), setup->options.module_paths.end(),
                   [&](const fs::path& p) { return is_below(dir, p) || dir == p; }))
    std::printf("Note: %s is not a module folder; pass -M %s to load from it.\n",
                display_path(dir).c_str(), display_path(dir).c_str());
  next_steps(args, kind, plan.folder, global);
  return kExitOk;
}

}  // namespace hotmod::cli
