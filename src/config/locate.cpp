#include "config/locate.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <system_error>

#include <fmt/format.h>

#include "config/settings.hpp"

namespace hotmod::config {
namespace fs = std::filesystem;
namespace {

Result<std::optional<fs::path>> named_file(const fs::path& given, std::string_view named_by,
                                           const fs::path& cwd) {
  const fs::path file = (cwd / given).lexically_normal();
  std::string m = fmt::format("config file {} (named by {}) ", file.string(), named_by);
  std::error_code ec;
  const fs::file_status st = fs::status(file, ec);
  if (st.type() == fs::file_type::not_found) {
    m.append("does not exist; check the name");
    if (given.is_relative())
      m.append(" (a relative path is taken from ").append(cwd.string()).append(")");
    return Error{Stage::config, Failure::invalid_config, std::move(m)};
  }
  if (ec)
    return Error{Stage::config, Failure::io_error,
                 m.append("cannot be examined: ").append(ec.message())};
  if (fs::is_directory(st))
    return Error{Stage::config, Failure::invalid_config,
                 m.append("is a folder; name the file in it, e.g. ")
                     .append((file / "hotmod.json").string())};
  return std::optional<fs::path>(file);
}

}  // namespace

Result<std::optional<fs::path>> locate_project_file(
    const ConfigInputs& inputs, const ConfigLayer& environment, const fs::path& cwd,
    const std::optional<fs::path>& home, std::vector<std::string>* warnings, uid_t self) {
  if (inputs.command_line.config_file)
    return named_file(*inputs.command_line.config_file, "--config", cwd);
  if (environment.config_file)
    return named_file(*environment.config_file, setting(SettingId::config_file).variable, cwd);
  if (inputs.defaults.config_file)
    return named_file(*inputs.defaults.config_file, "the host's defaults", cwd);
  if (!inputs.find_project_file) return std::optional<fs::path>();
  const std::optional<fs::path> home_dir =
      home ? std::optional<fs::path>(home->lexically_normal()) : std::nullopt;
  for (fs::path dir = cwd.lexically_normal();; dir = dir.parent_path()) {
    const fs::path candidate = dir / "hotmod.json";
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      if (st.st_uid == self || st.st_uid == 0) return std::optional<fs::path>(candidate);
      warnings->push_back(fmt::format(
          "ignoring {}: it belongs to another user (uid {}), and a project file can turn dev "
          "mode on and run build commands; to use it, copy it into a file of your own",
          candidate.string(), st.st_uid));
    }
    std::error_code ec;
    const bool project_root = fs::exists(dir / ".git", ec);
    // The same folder, however either path was spelt (a symlink, a "/" at the end).
    const bool at_home = home_dir && (dir == *home_dir || fs::equivalent(dir, *home_dir, ec));
    if (project_root || at_home || dir == dir.parent_path()) break;
  }
  return std::optional<fs::path>();
}

}  // namespace hotmod::config
