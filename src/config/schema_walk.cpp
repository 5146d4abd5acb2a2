// The walk that checks a parsed hotmod.json against the schema table: each
// key is matched to its row, type-checked and handed to the row's handler;
// keys no row knows are warnings with the nearest known key. It knows no
// key by name — that is the table's job (config_schema.cpp).
#include <fmt/format.h>

#include <algorithm>

#include "config/config_schema.hpp"
#include "config/text_values.hpp"
#include "text/suggest.hpp"

namespace hotmod::config {
namespace fs = std::filesystem;
namespace {

std::vector<std::string_view> split_pointer(std::string_view pattern) {
  std::vector<std::string_view> out;
  while (!pattern.empty()) {
    pattern.remove_prefix(1);  // the '/'
    const std::size_t slash = pattern.find('/');
    out.push_back(pattern.substr(0, slash));
    pattern = slash == std::string_view::npos ? std::string_view() : pattern.substr(slash);
  }
  return out;
}

// The row for the key at `path`, and what its "*" matched.
const Rule* find_rule(const std::vector<std::string>& path, std::string_view* name) {
  for (const Rule& r : schema_rules()) {
    const auto segs = split_pointer(r.pattern);
    if (segs.size() != path.size()) continue;
    bool match = true;
    std::string_view star;
    for (std::size_t i = 0; i < segs.size() && match; ++i) {
      if (segs[i] == "*") {
        star = path[i];
      } else {
        match = segs[i] == path[i];
      }
    }
    if (match) {
      *name = star;
      return &r;
    }
  }
  return nullptr;
}

// The keys the schema knows directly below `parent` (a pattern).
std::vector<std::string> known_below(std::string_view parent) {
  std::vector<std::string> out;
  for (const Rule& r : schema_rules()) {
    if (r.pattern.size() <= parent.size() + 1 || r.pattern.substr(0, parent.size()) != parent ||
        r.pattern[parent.size()] != '/')
      continue;
    std::string_view rest = r.pattern.substr(parent.size() + 1);
    if (rest.find('/') == std::string_view::npos) out.emplace_back(rest);
  }
  return out;
}

std::string describe(Type t) {
  switch (t) {
    case Type::boolean:
      return "a boolean (true or false)";
    case Type::millis:
      return "a whole number of milliseconds, 0 or more";
    case Type::positive_millis:
      return "a whole number of milliseconds, 1 or more";
    case Type::count:
      return "a whole number, 0 or more";
    case Type::string:
      return "a string";
    case Type::path_or_switch:
      return "a path (a string) or a boolean (false: none)";
    case Type::strings:
      return "an array of strings";
    case Type::grants:
      return "an array of strings (granted to every module) or an object of module names to "
             "arrays of strings";
    case Type::object:
      return "an object";
    case Type::any:
      return "any value";
  }
  return "";
}

// How a wrong value is shown: scalars as written, containers by kind.
std::string shown(const Value& v) {
  if (v.is_object()) return "an object";
  if (v.is_array()) return "an array";
  std::string text = v.dump();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return fmt::format("{} ({})", text, v.type_name());
}

// nlohmann stores every non-negative integer as unsigned.
bool is_integer_at_least(const Value& v, std::uint64_t least) {
  return v.is_number_unsigned() && v.get<std::uint64_t>() >= least;
}

// Which element of an array of strings is not one; -1 when all are.
long first_non_string(const Value& v) {
  for (std::size_t i = 0; i < v.size(); ++i)
    if (!v[i].is_string()) return static_cast<long>(i);
  return -1;
}

bool has_type(Type t, const Value& v) {
  switch (t) {
    case Type::boolean:
      return v.is_boolean();
    case Type::millis:
      return is_integer_at_least(v, 0);
    case Type::positive_millis:
      return is_integer_at_least(v, 1);
    case Type::count:
      return is_integer_at_least(v, 0);
    case Type::string:
      return v.is_string();
    case Type::path_or_switch:
      return v.is_string() || v.is_boolean();
    case Type::strings:
      return v.is_array() && first_non_string(v) < 0;
    case Type::grants:
      return (v.is_array() && first_non_string(v) < 0) || v.is_object();
    case Type::object:
      return v.is_object();
    case Type::any:
      return true;
  }
  return false;
}

// "/modules/a~1b/build" -> "modules.a/b.build", for messages.
std::string dotted_pointer(std::string_view pointer) {
  std::string out;
  for (std::string_view seg : split_pointer(pointer)) {
    if (!out.empty()) out += '.';
    for (std::size_t i = 0; i < seg.size(); ++i) {
      if (seg[i] == '~' && i + 1 < seg.size() && (seg[i + 1] == '0' || seg[i + 1] == '1')) {
        out += seg[++i] == '0' ? '~' : '/';
      } else {
        out += seg[i];
      }
    }
  }
  return out;
}

std::string dotted(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& seg : path) out.append(out.empty() ? "" : ".").append(seg);
  return out;
}

}  // namespace

// Walks the parsed file, matching each key to its row.
class SchemaWalk {
 public:
  SchemaWalk(const KeyLines& lines, const fs::path& file, FileSettings& out)
      : lines_(lines), file_(file), folder_(file.parent_path()), out_(out) {}

  void object(const Value& obj, const std::string& pointer, std::string_view pattern) {
    for (const auto& [key, value] : obj.items()) {
      path_.push_back(key);
      member(value, pointer + "/" + pointer_token(key), pattern);
      path_.pop_back();
    }
  }

  void cross_keys(const Value& root) {
    for (const auto& p : cross_key_problems(root)) error(lines_.line_of(p.pointer), p.message);
  }
  void warn_duplicates();
  SchemaOutcome& outcome() { return outcome_; }

 private:
  void member(const Value& value, const std::string& pointer, std::string_view parent) {
    const int line = lines_.line_of(pointer);
    std::string_view name;
    const Rule* rule = find_rule(path_, &name);
    if (rule == nullptr) return unknown(line, parent);
    if (!has_type(rule->type, value)) return wrong_type(*rule, value, pointer);
    if (rule->apply != nullptr) {
      const std::string where = where_of(line);
      const std::string key = dotted(path_);
      std::string problem = rule->apply(Use{value, key, where, name, folder_}, out_);
      if (!problem.empty()) return error(line, problem);
      if (!rule->setting.empty()) out_.origin[std::string(rule->setting)] = where;
    }
    if (rule->type == Type::object || (rule->type == Type::grants && value.is_object()))
      object(value, pointer, rule->pattern);
  }

  void unknown(int line, std::string_view parent) {
    const std::vector<std::string> known = known_below(parent);
    if (std::find(known.begin(), known.end(), "*") != known.end()) return;
    std::string prefix = dotted(path_);
    prefix.resize(prefix.size() - path_.back().size());
    std::string m = fmt::format("unknown key {} ignored; ", in_quotes(dotted(path_)));
    if (std::string near = text::did_you_mean(path_.back(), known); !near.empty()) {
      m.append("did you mean ").append(in_quotes(prefix + near)).append("?");
    } else {
      m.append("known keys here: ");
      for (std::size_t i = 0; i < known.size(); ++i) m.append(i ? ", " : "").append(known[i]);
    }
    outcome_.warnings.push_back({line, fmt::format("{}: {}", where_of(line), m)});
  }

  void wrong_type(const Rule& rule, const Value& value, const std::string& pointer) {
    int line = lines_.line_of(pointer);
    std::string got = shown(value);
    if ((rule.type == Type::strings || rule.type == Type::grants) && value.is_array()) {
      const long bad = first_non_string(value);
      line = lines_.line_of(pointer + "/" + std::to_string(bad));
      got = fmt::format("an array whose element {} is {}", bad,
                        shown(value[static_cast<std::size_t>(bad)]));
    }
    error(line, fmt::format("{} must be {}, not {}; e.g. \"{}\": {}", in_quotes(dotted(path_)),
                            describe(rule.type), got, path_.back(), rule.example));
  }

  void error(int line, const std::string& message) {
    outcome_.errors.push_back({line, fmt::format("{}: {}", where_of(line), message)});
  }

  std::string where_of(int line) const { return fmt::format("{}:{}", file_.string(), line); }

  const KeyLines& lines_;
  const fs::path& file_;
  fs::path folder_;
  FileSettings& out_;
  std::vector<std::string> path_;
  SchemaOutcome outcome_;
};

void SchemaWalk::warn_duplicates() {
  for (const auto& d : lines_.duplicates) {
    outcome_.warnings.push_back(
        {d.line,
         fmt::format("{}: {} is given twice (first on line {}); the last one counts",
                     where_of(d.line), in_quotes(dotted_pointer(d.pointer)), d.first_line)});
  }
}

SchemaOutcome apply_schema(const Value& root, const KeyLines& lines, const fs::path& file,
                           FileSettings& out) {
  SchemaWalk walk(lines, file, out);
  if (!root.is_object()) {
    walk.outcome().errors.push_back(
        {1, fmt::format("{}:1: the project file must hold one JSON object ({{\"dev_mode\": "
                        "true, ...}}), not {}",
                        file.string(), shown(root))});
    return std::move(walk.outcome());
  }
  walk.object(root, "", "");
  walk.cross_keys(root);
  walk.warn_duplicates();
  SchemaOutcome result = std::move(walk.outcome());
  const auto by_line = [](const Diagnostic& a, const Diagnostic& b) { return a.line < b.line; };
  std::stable_sort(result.errors.begin(), result.errors.end(), by_line);
  std::stable_sort(result.warnings.begin(), result.warnings.end(), by_line);
  return result;
}

}  // namespace hotmod::config
