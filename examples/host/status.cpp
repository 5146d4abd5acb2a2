#include "status.hpp"

#include <ctime>
#include <utility>

#include <fmt/format.h>

#include "terminal.hpp"

namespace host {
namespace {

// Appends `text` indented, in lines short enough for the status area,
// breaking at spaces where it can: error messages are long.
void add_wrapped(std::vector<Line>& out, std::string_view text, int color) {
  constexpr std::size_t kColumns = 94;
  while (text.size() > kColumns) {
    std::size_t cut = text.rfind(' ', kColumns);
    if (cut == std::string_view::npos || cut == 0) cut = kColumns;
    while (cut > 1 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    out.push_back({"  " + std::string(text.substr(0, cut)), color});
    text.remove_prefix(text[cut] == ' ' ? cut + 1 : cut);
  }
  out.push_back({"  " + std::string(text), color});
}

}  // namespace

std::string clock_time(std::chrono::system_clock::time_point t) {
  const std::time_t c = std::chrono::system_clock::to_time_t(t);
  std::tm local{};
  localtime_r(&c, &local);
  char buf[16];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &local);
  return buf;
}

void LogTail::add(hotmod::LogLevel level, std::string_view message) {
  if (!keep_) {
    fmt::print(stderr, "[hotmod] {}\n", message);
    return;
  }
  const int color = level >= hotmod::LogLevel::warn ? kWarn : kDim;
  std::lock_guard lock(mutex_);
  lines_.push_back({"log: " + std::string(message), color});
  if (lines_.size() > 3) lines_.pop_front();
}

std::vector<Line> LogTail::lines() const {
  std::lock_guard lock(mutex_);
  return {lines_.begin(), lines_.end()};
}

void ReloadBoard::record(const hotmod::ReloadStats& s) {
  std::lock_guard lock(mutex_);
  if (s.success)
    failures_.erase(s.module);
  else
    failures_[s.module] = s;
  // First loads report too; only reloads and failures count as "last reload".
  if (!s.success || s.reload_count > 0) last_ = std::chrono::system_clock::now();
}

std::map<std::string, hotmod::ReloadStats> ReloadBoard::failures() const {
  std::lock_guard lock(mutex_);
  return failures_;
}

std::optional<std::chrono::system_clock::time_point> ReloadBoard::last() const {
  std::lock_guard lock(mutex_);
  return last_;
}

Status status(const hotmod::Runtime& rt, const ReloadBoard& board,
              std::span<const char* const> module_names) {
  Status out;
  const auto failures = board.failures();
  const auto last = board.last();
  out.modules.push_back({fmt::format("{:<10} {:<8} {:>7}  {}", "module", "version", "reloads",
                                     last ? "last reload " + clock_time(*last) : "no reloads yet"),
                         kDim});
  for (const char* name : module_names) {
    const auto info = rt.info(name);
    if (!info) {
      out.modules.push_back({fmt::format("{:<10} (not known to the runtime)", name), kWarn});
      continue;
    }
    std::string row = fmt::format("{:<10} {:<8} {:>7}  loaded {}", name, info->version,
                                  info->reload_count, clock_time(info->load_time));
    const bool failing = failures.contains(name);
    if (failing) row += "  <- still this version: the reload failed";
    out.modules.push_back({std::move(row), failing ? kBad : -1});
  }
  for (const auto& [name, s] : failures) {
    // A file cut short or not yet an ELF image: perhaps still being written.
    const bool maybe_mid_write = s.failure == hotmod::Failure::truncated_image ||
                                 s.failure == hotmod::Failure::not_shared_object;
    const int color = maybe_mid_write ? kWarn : kBad;
    out.problems.push_back(
        {fmt::format("{}: reload failed at {} ({}){}", name, hotmod::to_string(s.stage),
                     hotmod::to_string(s.failure),
                     maybe_mid_write ? "; if a build is still writing it, wait a moment" : ""),
         color});
    add_wrapped(out.problems, s.error, color);
    if (!s.diagnostics.empty())
      add_wrapped(out.problems, s.diagnostics.substr(0, s.diagnostics.find('\n')), kDim);
  }
  return out;
}

}  // namespace host
