#include "config/locate.hpp"

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

Result<std::optional<fs::path>> locate_project_file(const ConfigInputs& inputs,
                                                    const ConfigLayer& environment,
                                                    const fs::path& cwd) {
  if (inputs.command_line.config_file)
    return named_file(*inputs.command_line.config_file, "--config", cwd);
  if (environment.config_file)
    return named_file(*environment.config_file, setting(SettingId::config_file).variable, cwd);
  if (inputs.defaults.config_file)
    return named_file(*inputs.defaults.config_file, "the host's defaults", cwd);
  if (!inputs.find_project_file) return std::optional<fs::path>();
  for (fs::path dir = cwd;; dir = dir.parent_path()) {
    const fs::path candidate = dir / "hotmod.json";
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec)) return std::optional<fs::path>(candidate);
    if (dir == dir.parent_path()) break;  // the root
  }
  return std::optional<fs::path>();
}

}  // namespace hotmod::config
