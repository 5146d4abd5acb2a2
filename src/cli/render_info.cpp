#include "cli/render_info.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>

#include "cli/cli_runtime.hpp"
#include "cli/render_table.hpp"

namespace hotmod::cli {
namespace {

std::string local_time(std::chrono::system_clock::time_point t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm parts{};
  localtime_r(&seconds, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &parts);
  return text;
}

std::string list_or_none(const std::vector<std::string>& items) {
  return items.empty() ? "none" : joined(items);
}

std::string loaded_line(const ModuleInfo& info) {
  if (!info.loaded) return "no";
  std::string out = fmt::format("yes, at {}, reloaded {} {}", local_time(info.load_time),
                                info.reload_count, info.reload_count == 1 ? "time" : "times");
  if (info.lingering_images > 0)
    out += fmt::format("; {} old version(s) still mapped", info.lingering_images);
  return out;
}

std::string functions_block(const ModuleInfo& info) {
  if (info.functions.empty()) return info.loaded ? "functions:    none\n" : "";
  std::size_t width = 0;
  for (const FunctionInfo& f : info.functions)
    width = std::max(width, display_width(f.signature.empty() ? f.name : f.signature));
  std::string out = "functions:\n";
  for (const FunctionInfo& f : info.functions) {
    const std::string sig = f.signature.empty() ? f.name : f.signature;
    if (f.doc.empty())
      out += fmt::format("  {}\n", sig);
    else
      out +=
          fmt::format("  {}{}{}\n", sig, std::string(width - display_width(sig) + 2, ' '), f.doc);
  }
  return out;
}

}  // namespace

std::string render_info(const ModuleInfo& info) {
  std::string out;
  const auto field = [&out](const char* key, const std::string& value) {
    std::string label = fmt::format("{}:", key);
    label.resize(14, ' ');
    out += fmt::format("{}{}\n", label, value);
  };
  field("name", info.name);
  field("kind", std::string(to_string(info.kind)));
  field("path", display_path(info.path));
  field("version", info.version.empty() ? "-" : info.version);
  if (!info.description.empty()) field("description", info.description);
  field("loaded", loaded_line(info));
  if (info.loaded) {
    field("state", info.state_size == 0
                       ? "none"
                       : fmt::format("{}, {} bytes", info.state_type, info.state_size));
    field("interfaces", list_or_none(info.interfaces));
    field("capabilities", list_or_none(info.capabilities));
  }
  field("imports", list_or_none(info.imports));
  field("dependents", list_or_none(info.dependents));
  return out + functions_block(info);
}

}  // namespace hotmod::cli
