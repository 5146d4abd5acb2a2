// Where each key of a JSON text is, by line.
//
// nlohmann::json parses the project file but forgets positions, and a
// message about a key is only useful with `hotmod.json:12:` in front of it.
// This scanner walks the same text once more — strings with escapes, // and
// /* */ comments — and records the line of every object key and every array
// element under its JSON pointer (RFC 6901): "/modules/physics/build" -> 12,
// "/module_paths/1" -> 5. It never fails: on text that is not JSON it
// records what it can (load_config only scans text nlohmann has accepted).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace hotmod::config {

struct KeyLines {
  // A key given twice in one object; the parser keeps the last.
  struct Duplicate {
    std::string pointer;
    int first_line = 0;
    int line = 0;
  };

  // Pointer -> 1-based line of the key (or of the array element's start).
  // For a duplicated key: the line of the last one, the one that counts.
  std::map<std::string, int, std::less<>> lines;
  std::vector<Duplicate> duplicates;

  // The line of `pointer`, else of its nearest recorded ancestor, else 1.
  int line_of(std::string_view pointer) const;
};

KeyLines scan_key_lines(std::string_view text);

// One reference token of a JSON pointer: "~" -> "~0", "/" -> "~1".
std::string pointer_token(std::string_view key);

}  // namespace hotmod::config
