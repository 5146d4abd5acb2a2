#include "cli/render_table.hpp"

#include <algorithm>

#include "cli/terminal.hpp"

namespace hotmod::cli {
namespace {

std::string repeat(const std::string& piece, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += piece;
  return out;
}

std::string pad(const std::string& text, std::size_t width, Align align) {
  const std::string fill(width - std::min(width, display_width(text)), ' ');
  return align == Align::right ? fill + text : text + fill;
}

void trim_right(std::string& line) {
  while (!line.empty() && line.back() == ' ') line.pop_back();
}

}  // namespace

TableStyle table_style_for(std::FILE* stream) {
  return unicode_for(stream) ? TableStyle::box : TableStyle::plain;
}

std::size_t display_width(const std::string& text) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == 0x1b) {  // ESC [ ... m
      while (i < text.size() && text[i] != 'm') ++i;
      continue;
    }
    if ((c & 0xC0) != 0x80) ++width;  // not a UTF-8 continuation byte
  }
  return width;
}

Table::Table(std::vector<std::string> headers, std::vector<Align> align)
    : headers_(std::move(headers)), align_(std::move(align)) {
  align_.resize(headers_.size(), Align::left);
}

void Table::add(std::vector<std::string> row) {
  row.resize(headers_.size());
  rows_.push_back(std::move(row));
}

void Table::separator() {
  if (!rows_.empty() && !rows_.back().empty()) rows_.emplace_back();
}

std::string Table::render(TableStyle style) const {
  std::vector<std::size_t> widths;
  for (const auto& h : headers_) widths.push_back(display_width(h));
  for (const auto& row : rows_)
    for (std::size_t c = 0; c < row.size(); ++c)
      widths[c] = std::max(widths[c], display_width(row[c]));

  const auto line = [&](const std::vector<std::string>& cells, bool header) {
    std::string out = style == TableStyle::box ? "│ " : "";
    for (std::size_t c = 0; c < cells.size(); ++c) {
      // Headers follow their column's alignment, so numbers line up under them.
      out += pad(cells[c], widths[c], header && c == 0 ? Align::left : align_[c]);
      if (c + 1 < cells.size()) out += style == TableStyle::box ? " │ " : "  ";
    }
    out += style == TableStyle::box ? " │" : "";
    trim_right(out);
    return out + "\n";
  };
  const auto rule = [&](const char* left, const char* mid, const char* right) {
    std::string out = left;
    for (std::size_t c = 0; c < widths.size(); ++c)
      out += repeat("─", widths[c] + 2) + (c + 1 < widths.size() ? mid : right);
    return out + "\n";
  };

  std::string out;
  if (style == TableStyle::box) out += rule("┌", "┬", "┐");
  out += line(headers_, true);
  if (style == TableStyle::box) out += rule("├", "┼", "┤");
  for (std::size_t r = 0; r < rows_.size(); ++r) {
    if (!rows_[r].empty())
      out += line(rows_[r], false);
    else if (style == TableStyle::box && r + 1 < rows_.size())
      out += rule("├", "┼", "┤");
  }
  if (style == TableStyle::box) out += rule("└", "┴", "┘");
  return out;
}

}  // namespace hotmod::cli
