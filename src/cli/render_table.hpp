// Aligned tables for the reports. Two styles, picked by where the output
// goes: box drawing (┌─┬┐) on a UTF-8 terminal, and plain columns two
// spaces apart, without rules, everywhere else — what grep, awk and a CI
// log read best. Widths count characters, not bytes, and skip colour codes.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace hotmod::cli {

enum class Align { left, right };
enum class TableStyle { box, plain };

// box when `stream` is a UTF-8 terminal (see unicode_for), else plain.
TableStyle table_style_for(std::FILE* stream);

class Table {
 public:
  // `align` per column; missing entries are left-aligned.
  explicit Table(std::vector<std::string> headers, std::vector<Align> align = {});

  // A row with fewer cells than headers is padded with empty ones.
  void add(std::vector<std::string> row);
  // A rule between groups of rows (box style; plain style leaves it out).
  void separator();
  bool empty() const { return rows_.empty(); }

  // Ends with '\n'.
  std::string render(TableStyle style) const;

 private:
  std::vector<std::string> headers_;
  std::vector<Align> align_;
  std::vector<std::vector<std::string>> rows_;  // empty: a separator
};

// Characters `text` shows: UTF-8 sequences count once, colour codes not at all.
std::size_t display_width(const std::string& text);

}  // namespace hotmod::cli
