#include "cli/repl_completion.hpp"

#include <algorithm>
#include <cctype>

#include "cli/repl_commands.hpp"

namespace hotmod::cli {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// A Lua name with its dots and colons ("algorithms.sorting.qu", "m:f") is
// one word, and so is a dot-command.
bool word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == ':';
}

std::vector<std::string> sorted_unique(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

std::vector<std::string> dot_command_argument(std::string_view command, std::string_view word,
                                              const std::vector<std::string>& modules) {
  const DotCommand* c = find_dot_command(command);
  if (c == nullptr) return {};
  std::vector<std::string> out;
  for (std::string_view w : c->words)
    if (starts_with(w, word)) out.emplace_back(w);
  if (c->completes_modules)
    for (const std::string& m : modules)
      if (starts_with(m, word)) out.push_back(m);
  return out;
}

}  // namespace

std::size_t completion_word_start(std::string_view line) {
  std::size_t start = line.size();
  while (start > 0 && word_char(line[start - 1])) --start;
  return start;
}

std::vector<std::string> repl_complete(std::string_view line,
                                       const std::vector<std::string>& modules,
                                       const LuaCompleter& lua) {
  std::string_view text = line;
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  if (text.empty() || text.front() != '.')
    return lua ? sorted_unique(lua(line)) : std::vector<std::string>{};

  const std::size_t space = text.find_first_of(" \t");
  if (space == std::string_view::npos) {  // still typing the command's name
    std::vector<std::string> out;
    for (const DotCommand& c : dot_commands())
      if (starts_with(c.name, text)) out.emplace_back(c.name);
    return sorted_unique(out);
  }
  const std::string_view command = text.substr(0, space);
  std::string_view rest = text.substr(space);
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  if (rest.find_first_of(" \t") != std::string_view::npos) return {};  // one argument only
  return sorted_unique(dot_command_argument(command, rest, modules));
}

}  // namespace hotmod::cli
