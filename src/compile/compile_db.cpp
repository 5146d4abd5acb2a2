#include "compile/compile_db.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "diag/json_error.hpp"
#include "text/read_file.hpp"

namespace hotmod::compile {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kFileName = "compile_commands.json";

Error db_error(std::string message) {
  return Error{Stage::build, Failure::invalid_config, std::move(message)};
}

// `byte` is nlohmann's 1-based index of the character it stopped at.
Error not_json(std::string_view text, const fs::path& file, std::size_t byte,
               std::string_view what) {
  return db_error(fmt::format("{}; regenerate it (cmake -DCMAKE_EXPORT_COMPILE_COMMANDS=ON)",
                              diag::json_parse_error(text, file, byte, what)));
}

fs::path absolute_in(const fs::path& p, const fs::path& dir) {
  return (p.is_relative() ? dir / p : p).lexically_normal();
}

// Flags whose value is a folder or file, as two arguments ("-I foo") or,
// when `joined_input`, also as one ("-Ifoo").
struct PathFlag {
  std::string_view name;
  bool joined_input;
  bool joined_output;  // "-I/abs" rather than {"-isystem", "/abs"}
};
// -include is separate-only, so "-include-pch" is not read as -include.
constexpr std::array<PathFlag, 5> kPathFlags = {{{"-I", true, true},
                                                 {"-isystem", true, false},
                                                 {"-iquote", true, false},
                                                 {"-idirafter", true, false},
                                                 {"-include", false, false}}};

const PathFlag* path_flag(std::string_view arg) {
  for (const auto& f : kPathFlags) {
    if (arg == f.name || (f.joined_input && arg.substr(0, f.name.size()) == f.name)) return &f;
  }
  return nullptr;
}

// The folder prefix two paths share, in components.
std::size_t common_folders(const fs::path& a, const fs::path& b) {
  std::size_t n = 0;
  auto i = a.begin(), j = b.begin();
  for (; i != a.end() && j != b.end() && *i == *j; ++i, ++j) ++n;
  return n;
}

// The compile_commands.json in `dir`, dir/build or dir/build/*/.
std::optional<fs::path> database_in(const fs::path& dir) {
  std::error_code ec;
  for (const fs::path& candidate : {dir / kFileName, dir / "build" / kFileName}) {
    if (fs::is_regular_file(candidate, ec)) return candidate;
  }
  std::optional<fs::path> newest;
  fs::file_time_type newest_time{};
  fs::directory_iterator it(dir / "build", ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const fs::path candidate = it->path() / kFileName;
    if (!it->is_directory(ec) || !fs::is_regular_file(candidate, ec)) continue;
    const fs::file_time_type t = fs::last_write_time(candidate, ec);
    if (ec) continue;
    if (!newest || t > newest_time) {
      newest = candidate;
      newest_time = t;
    }
  }
  return newest;
}

bool is_project_root(const fs::path& dir) {
  std::error_code ec;
  return fs::exists(dir / ".git", ec) || fs::exists(dir / "hotmod.json", ec);
}

}  // namespace

std::vector<std::string> split_command_line(std::string_view command) {
  std::vector<std::string> out;
  std::string cur;
  bool in_word = false;
  for (std::size_t i = 0; i < command.size(); ++i) {
    const char c = command[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (in_word) out.push_back(std::move(cur));
      cur.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\'') {
      const std::size_t close = command.find('\'', i + 1);
      const std::size_t stop = close == std::string_view::npos ? command.size() : close;
      cur.append(command.substr(i + 1, stop - i - 1));
      i = stop;
    } else if (c == '"') {
      for (++i; i < command.size() && command[i] != '"'; ++i) {
        const char next = i + 1 < command.size() ? command[i + 1] : '\0';
        if (command[i] == '\\' && std::strchr("$`\"\\\n", next) != nullptr && next != '\0') ++i;
        cur += command[i];
      }
    } else if (c == '\\' && i + 1 < command.size()) {
      cur += command[++i];
    } else {
      cur += c;
    }
  }
  if (in_word) out.push_back(std::move(cur));
  return out;
}

std::vector<std::string> project_flags(const std::vector<std::string>& args,
                                       const fs::path& directory) {
  std::vector<std::string> out;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (const PathFlag* f = path_flag(arg)) {
      std::string value(arg.substr(f->name.size()));
      if (value.empty()) {
        if (i + 1 >= args.size()) break;
        value = args[++i];
      }
      const std::string abs = absolute_in(value, directory).string();
      if (f->joined_output) {
        out.push_back(std::string(f->name) + abs);
      } else {
        out.emplace_back(f->name);
        out.push_back(abs);
      }
    } else if (arg == "-D" || arg == "-U") {
      if (i + 1 < args.size()) out.push_back(std::string(arg) + args[++i]);
    } else if (arg.substr(0, 2) == "-D" || arg.substr(0, 2) == "-U" ||
               arg.substr(0, 5) == "-std=") {
      out.emplace_back(arg);
    }
  }
  return out;
}

Result<CompileDatabase> CompileDatabase::load(const fs::path& file) {
  int error = 0;
  const std::optional<std::string> read = text::read_whole_file(file, &error);
  if (!read) {
    return Error{Stage::build, Failure::io_error,
                 fmt::format("cannot read the compile database '{}': {} (CMake writes it when "
                             "configured with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON)",
                             file.string(), std::strerror(error))};
  }
  const std::string& text = *read;
  Value root;
  try {
    root = Value::parse(text);
  } catch (const Value::parse_error& e) {
    return not_json(text, file, e.byte, e.what());
  }
  if (!root.is_array()) {
    return db_error(
        fmt::format("{}: expected a JSON array of compile commands ([{{\"directory\": ..., "
                    "\"file\": ..., \"arguments\": [...]}}, ...]), found a {}",
                    file.string(), root.type_name()));
  }
  CompileDatabase db;
  db.path_ = file;
  std::error_code ec;
  const fs::path db_dir = fs::absolute(file, ec).lexically_normal().parent_path();
  for (std::size_t i = 0; i < root.size(); ++i) {
    const Value& e = root[i];
    const std::string where = fmt::format("{}: entry {} of {}", file.string(), i + 1, root.size());
    if (!e.is_object() || !e.contains("file") || !e["file"].is_string() ||
        !e.contains("directory") || !e["directory"].is_string()) {
      return db_error(fmt::format(
          "{} needs string fields \"directory\" and \"file\"; regenerate the file or fix the "
          "entry",
          where));
    }
    Entry entry;
    entry.directory = absolute_in(e["directory"].get<std::string>(), db_dir);
    entry.file = absolute_in(e["file"].get<std::string>(), entry.directory);
    if (e.contains("arguments") && e["arguments"].is_array()) {
      for (const Value& a : e["arguments"]) {
        if (!a.is_string())
          return db_error(fmt::format("{} has an \"arguments\" item that is not a string: {}",
                                      where, a.dump()));
        entry.args.push_back(a.get<std::string>());
      }
    } else if (e.contains("command") && e["command"].is_string()) {
      entry.args = split_command_line(e["command"].get<std::string>());
    } else {
      return db_error(
          fmt::format("{} has neither an \"arguments\" array nor a \"command\" string", where));
    }
    db.entries_.push_back(std::move(entry));
  }
  return db;
}

std::optional<std::vector<std::string>> CompileDatabase::flags_for(const fs::path& source) const {
  if (entries_.empty()) return std::nullopt;
  std::error_code ec;
  const fs::path wanted = fs::absolute(source, ec).lexically_normal();
  const fs::path folder = wanted.parent_path();
  const Entry* best = nullptr;
  std::size_t best_shared = 0;
  bool best_same_ext = false;
  for (const Entry& e : entries_) {
    if (e.file == wanted) return project_flags(e.args, e.directory);
    const std::size_t shared = common_folders(folder, e.file.parent_path());
    const bool same_ext = e.file.extension() == wanted.extension();
    if (!best || shared > best_shared || (shared == best_shared && same_ext && !best_same_ext)) {
      best = &e;
      best_shared = shared;
      best_same_ext = same_ext;
    }
  }
  return project_flags(best->args, best->directory);
}

std::optional<fs::path> find_compile_database(const fs::path& start) {
  std::error_code ec;
  fs::path dir = fs::absolute(start, ec).lexically_normal();
  if (ec) return std::nullopt;
  if (!fs::is_directory(dir, ec)) dir = dir.parent_path();
  if (dir.has_relative_path() && dir.filename().empty()) dir = dir.parent_path();
  while (true) {
    if (auto found = database_in(dir)) return found;
    if (is_project_root(dir) || dir == dir.parent_path()) return std::nullopt;
    dir = dir.parent_path();
  }
}

}  // namespace hotmod::compile
