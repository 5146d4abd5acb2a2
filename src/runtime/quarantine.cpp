#include "runtime/quarantine.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "text/file_lock.hpp"
#include "text/read_file.hpp"
#include "text/write_file.hpp"

namespace hotmod::runtime {
namespace fs = std::filesystem;
namespace {

fs::path default_state_dir() {
  if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg != nullptr && *xdg == '/')
    return fs::path(xdg) / "hotmod";
  if (const char* home = std::getenv("HOME"); home != nullptr && *home == '/')
    return fs::path(home) / ".local" / "state" / "hotmod";
  return {};
}

std::string utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm parts{};
  gmtime_r(&now, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

// The entries of a quarantine file; an unreadable or malformed one holds none
// (a hand edit gone wrong must not keep every module from loading).
std::vector<Quarantine::Entry> parse(const std::string& text) {
  std::vector<Quarantine::Entry> out;
  const nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (!doc.is_object() || !doc.contains("quarantined") || !doc["quarantined"].is_array())
    return out;
  for (const nlohmann::json& e : doc["quarantined"]) {
    if (!e.is_object() || !e.contains("hash") || !e["hash"].is_string()) continue;
    Quarantine::Entry entry;
    const std::string& hash = e["hash"].get_ref<const std::string&>();
    char* end = nullptr;
    entry.hash = std::strtoull(hash.c_str(), &end, 16);
    if (hash.empty() || end == nullptr || *end != '\0') continue;
    entry.module = e.value("module", "");
    entry.version = e.value("version", "");
    entry.crashed_at = e.value("crashed_at", "");
    entry.why = e.value("why", "");
    out.push_back(std::move(entry));
  }
  return out;
}

// A lock on `file`.lock, its folder made first (private, as the file's
// writer makes it); none when `file` is empty or the lock cannot be had
// within `wait`, with `why` saying which.
std::optional<text::FileLock> lock_beside(const fs::path& file, std::chrono::seconds wait,
                                          std::string* why) {
  if (file.empty()) return std::nullopt;
  std::error_code ec;
  if (fs::create_directories(file.parent_path(), ec))
    fs::permissions(file.parent_path(), fs::perms::owner_all, ec);
  return text::FileLock::acquire(fs::path(file) += ".lock", nullptr, wait, why);
}

}  // namespace

std::string hash_text(std::uint64_t hash) {
  return fmt::format("{:016x}", hash);
}

Quarantine::Quarantine(fs::path state_dir)
    : file_(state_dir.empty() ? default_state_dir() : std::move(state_dir)) {
  if (!file_.empty()) file_ /= "quarantine.json";
}

void Quarantine::reread_locked(bool now) {
  if (file_.empty()) return;
  // Another process's entry matters at the next start, not within a second:
  // loads in a burst (reload_all, a benchmark) do not stat the file each.
  const auto checked = std::chrono::steady_clock::now();
  if (!now && checked - checked_ < kRecheck) return;
  checked_ = checked;
  struct stat st {};
  const bool exists = ::stat(file_.c_str(), &st) == 0;
  const std::int64_t size = exists ? static_cast<std::int64_t>(st.st_size) : -1;
  const std::int64_t mtime_ns =
      exists ? static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec
             : 0;
  if (size == seen_size_ && mtime_ns == seen_mtime_ns_) return;
  seen_size_ = size;
  seen_mtime_ns_ = mtime_ns;
  std::optional<std::string> text = exists ? text::read_whole_file(file_) : std::nullopt;
  entries_ = text ? parse(*text) : std::vector<Entry>{};
  for (const Entry& u : unsaved_)
    if (std::none_of(entries_.begin(), entries_.end(),
                     [&](const Entry& known) { return known.hash == u.hash; }))
      entries_.push_back(u);
}

std::optional<Quarantine::Entry> Quarantine::find(std::uint64_t hash) {
  if (hash == 0) return std::nullopt;  // no file's hash (an entry of an older version's)
  std::lock_guard lock(mu_);
  reread_locked(false);
  for (const Entry& e : entries_)
    if (e.hash == hash) return e;
  return std::nullopt;
}

std::optional<std::string> Quarantine::add(Entry e) {
  // Read, add, write whole: under a lock on a file beside it, or two
  // processes adding at once would each write the list without the other's
  // entry. Taken before mu_, so lookups here never wait for another
  // process. When it cannot be had in kLockWait (a stuck process holds
  // it), the entry is written anyway — losing another's entry is better
  // than losing this one.
  std::string unlocked;
  const std::optional<text::FileLock> file_lock = lock_beside(file_, kLockWait, &unlocked);
  std::lock_guard lock(mu_);
  seen_size_ = -2;      // read it whatever its size and mtime say: a write in
  reread_locked(true);  // the same clock tick may keep both; what others added is kept
  for (const Entry& known : entries_)
    if (known.hash == e.hash) return std::nullopt;  // the first crash is the one remembered
  if (e.crashed_at.empty()) e.crashed_at = utc_now();
  entries_.push_back(e);
  unsaved_.push_back(std::move(e));  // until a write holds it
  for (std::vector<Entry>* list : {&entries_, &unsaved_})
    if (list->size() > kKept)
      list->erase(list->begin(), list->begin() + static_cast<std::ptrdiff_t>(list->size() - kKept));
  if (file_.empty())
    return "neither XDG_STATE_HOME nor HOME is set, so the quarantine lasts only as long as this "
           "process; set state_dir in hotmod.json";
  nlohmann::json list = nlohmann::json::array();
  for (const Entry& q : entries_)
    list.push_back({{"hash", hash_text(q.hash)},
                    {"module", q.module},
                    {"version", q.version},
                    {"crashed_at", q.crashed_at},
                    {"why", q.why}});
  const std::string text = nlohmann::json{{"quarantined", list}}.dump(1) + "\n";
  if (!text::write_file_atomically(file_, text, fs::perms::owner_all))
    return fmt::format(
        "cannot write '{}'; check that its folder is writable, or set state_dir in "
        "hotmod.json",
        file_.string());
  unsaved_.clear();
  seen_size_ = -2;  // our own write: read it back next time, mtime and all
  if (!unlocked.empty())
    return fmt::format(
        "{}; the entry was written without it, so an entry another process added at the same "
        "moment may be lost",
        unlocked);
  return std::nullopt;
}

}  // namespace hotmod::runtime
