#include "watch/poll_backend.hpp"

#include <algorithm>

#include "watch/paths.hpp"

namespace hotmod::watch {

FolderBackend::AddResult PollBackend::add(const std::string& dir, bool) {
  dirs_.insert(dir);
  return {};
}

void PollBackend::remove(const std::string& dir) {
  dirs_.erase(dir);
  for (const std::string& path : keys_within(candidates_, dir)) candidates_.erase(path);
}

void PollBackend::rename(const std::string& from, const std::string& to) {
  for (const std::string& old : keys_within(dirs_, from)) {
    dirs_.erase(old);
    dirs_.insert(rebase(old, from, to));
  }
  for (const std::string& old : keys_within(candidates_, from)) {
    auto node = candidates_.extract(old);
    node.key() = rebase(old, from, to);
    candidates_.insert(std::move(node));
  }
}

// One file's state now (`now`, null: missing) against the snapshot's
// (`known`, null: none). Reported when the same state was seen last poll.
void PollBackend::settle_file(const std::string& path, const Stat* now, const Stat* known,
                              std::int64_t wall_ns, std::vector<Change>& out) {
  bool same = now != nullptr && known != nullptr ? now->same_content(*known)
                                                 : now == nullptr && known == nullptr;
  if (same) {
    candidates_.erase(path);
    return;
  }
  auto [it, fresh] = candidates_.try_emplace(path);
  Candidate& seen = it->second;
  bool steady = !fresh && seen.present == (now != nullptr) &&
                (now == nullptr || seen.stat.same_content(*now));
  bool opened = now != nullptr && now->regular && now->size == 0 &&
                wall_ns - now->mtime_ns < writer_quiet_.count();
  if (!steady || opened) {
    seen.present = now != nullptr;
    if (now != nullptr) seen.stat = *now;
    return;
  }
  candidates_.erase(it);
  if (now == nullptr)
    out.push_back({Change::gone, path, *known});
  else
    out.push_back({known != nullptr ? Change::modified : Change::appeared, path, *now});
}

void PollBackend::diff(const std::string& dir, std::vector<DirEntry>& now,
                       const TreeSnapshot::Children* known, bool settle, std::vector<Change>& out) {
  const std::int64_t wall_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
  std::sort(now.begin(), now.end(),
            [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  static const TreeSnapshot::Children kNone;
  const TreeSnapshot::Children& before = known != nullptr ? *known : kNone;
  // Both sides sorted by name: one merge walk.
  auto old = before.begin();
  auto cur = now.begin();
  while (old != before.end() || cur != now.end()) {
    bool take_old = cur == now.end() || (old != before.end() && old->first < cur->name);
    bool take_cur = old == before.end() || (cur != now.end() && cur->name < old->first);
    const Stat* was = take_cur ? nullptr : &old->second;
    const Stat* is = take_old ? nullptr : &cur->stat;
    const std::string& name = take_old ? old->first : cur->name;
    if (!take_cur) ++old;
    if (!take_old) ++cur;
    // The common case, on every poll of every file: nothing to do, and no
    // path to build unless a candidate might have to be dropped.
    if (was != nullptr && is != nullptr && was->same_content(*is)) {
      if (!candidates_.empty()) candidates_.erase(join_path(dir, name));
      continue;
    }
    std::string path = join_path(dir, name);
    bool folder = (was != nullptr && was->is_dir) || (is != nullptr && is->is_dir);
    if (folder || !settle) {
      candidates_.erase(path);
      if (was != nullptr && is != nullptr && !was->is_dir && !is->is_dir) {
        out.push_back({Change::modified, path, *is});
        continue;
      }
      if (was != nullptr) out.push_back({Change::gone, path, *was});
      if (is != nullptr) out.push_back({Change::appeared, path, *is});
      continue;
    }
    settle_file(path, is, was, wall_ns, out);
  }
}

}  // namespace hotmod::watch
