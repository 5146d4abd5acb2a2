#include "watch/coalescer.hpp"

#include <algorithm>

namespace hotmod::watch {

Coalescer::Coalescer(Clock::duration debounce, Clock::duration writer_quiet, ClosingOf closing_of,
                     Clock::duration replace_wait)
    : debounce_(debounce),
      writer_quiet_(std::max(debounce, writer_quiet)),
      replace_wait_(replace_wait.count() > 0 ? replace_wait : 4 * writer_quiet_),
      closing_of_(std::move(closing_of)) {}

Coalescer::Pending& Coalescer::touch(const std::string& path, bool is_dir, bool existed,
                                     Clock::time_point t, Pace pace) {
  auto [it, fresh] = pending_.try_emplace(path);
  Pending& p = it->second;
  if (fresh) {
    p.path = path;
    p.existed = existed;
    p.exists = existed;
  }
  p.is_dir = is_dir;
  p.last = t;
  p.order = ++order_;
  p.settled = pace == Pace::settled;
  p.saved = false;
  return p;
}

Coalescer::Pending* Coalescer::find(const std::string& path) {
  auto it = pending_.find(path);
  return it == pending_.end() ? nullptr : &it->second;
}

// The other half of a rename, if both halves still point at each other
// (a later rename of either path breaks the link).
const Coalescer::Pending* Coalescer::partner(const Pending& p) const {
  if (!p.moved_to.empty()) {
    auto it = pending_.find(p.moved_to);
    if (it != pending_.end() && it->second.renamed_from == p.path) return &it->second;
  }
  if (!p.renamed_from.empty()) {
    auto it = pending_.find(p.renamed_from);
    if (it != pending_.end() && it->second.moved_to == p.path) return &it->second;
  }
  return nullptr;
}

Clock::time_point Coalescer::due(const Pending& p) const {
  if (p.replaced_soon) return p.last + replace_wait_;
  if (p.writing) return p.last + writer_quiet_;
  if (p.settled) return p.last;
  return p.last + (p.saved ? std::min(debounce_, kSaveSettle) : debounce_);
}

// a -> b -> c within one window is one rename a -> c: b, which did not exist
// before, passes its origin on and is left with nothing to report.
void Coalescer::link(Pending& target, const std::string& source) {
  Pending* from = find(source);
  if (from == nullptr || from->exists) return;
  std::string origin = source;
  if (!from->existed && !from->renamed_from.empty()) {
    origin = from->renamed_from;
    from->renamed_from.clear();
  }
  Pending* first = find(origin);
  if (first == nullptr) return;
  target.renamed_from = origin;
  first->moved_to = target.path;
  // The halves go out together: a file complete as renamed into place does
  // not wait for the debounce of the temporary name it came from.
  if (target.settled) first->settled = true;
  if (target.saved) first->saved = true;
}

void Coalescer::appeared(const std::string& path, bool is_dir, bool existed, Clock::time_point t,
                         bool writing, Pace pace, const std::string& renamed_from, bool placed) {
  Pending& p = touch(path, is_dir, existed, t, pace);
  p.exists = true;
  p.changed = true;  // for a path that existed: replaced, so modified
  p.writing = writing;
  p.replaced_soon = false;
  if (placed && !writing) complete(p);
  p.renamed_from.clear();
  if (!renamed_from.empty()) link(p, renamed_from);
}

void Coalescer::written(const std::string& path, Clock::time_point t) {
  Pending& p = touch(path, false, true, t, Pace::debounced);
  p.exists = true;
  p.changed = true;
  p.writing = true;
}

void Coalescer::closed(const std::string& path, Clock::time_point t, bool content_changed) {
  Pending* p = find(path);
  if (p == nullptr && !content_changed) return;  // opened for writing, nothing written
  p = &touch(path, false, true, t, Pace::debounced);
  p->exists = true;
  p->changed = p->changed || content_changed;
  p->writing = false;
  p->replaced_soon = false;
  complete(*p);
}

void Coalescer::complete(Pending& p) {
  switch (closing(p.path)) {
    case Closing::built:
      p.settled = true;
      break;
    case Closing::saved:
      p.saved = p.existed;
      break;
    case Closing::debounced:
      break;
  }
}

void Coalescer::changed(const std::string& path, Clock::time_point t, Pace pace) {
  // A writer setting the time just after closing a save: still that save.
  const Pending* before = find(path);
  const bool was_saved = before != nullptr && before->saved && !before->writing;
  Pending& p = touch(path, false, true, t, pace);
  p.saved = was_saved;
  p.exists = true;
  p.changed = true;
}

void Coalescer::gone(const std::string& path, bool is_dir, Clock::time_point t, Pace pace) {
  Pending& p = touch(path, is_dir, true, t, pace);
  p.exists = false;
  p.changed = true;
  p.writing = false;
  p.replaced_soon = !is_dir && closing(path) == Closing::built;
  p.moved_to.clear();
}

void Coalescer::emit(const Pending& p, const Wanted& wanted, std::vector<FileChange>& out) const {
  ChangeKind kind;
  if (!p.existed && p.exists)
    kind = ChangeKind::created;
  else if (p.existed && !p.exists)
    kind = ChangeKind::deleted;
  else if (p.existed && p.exists && p.changed)
    kind = ChangeKind::modified;
  else
    return;  // created and removed again, or nothing but attributes
  if (!wanted(p.path)) return;
  out.push_back(FileChange{kind, p.path, {}, p.is_dir, p.last, p.writing});
}

void Coalescer::emit_pair(const Pending& from, const Pending& to, const Wanted& wanted,
                          std::vector<FileChange>& out) const {
  bool plain = from.existed && !from.exists && !to.existed && to.exists &&
               from.is_dir == to.is_dir && wanted(from.path) && wanted(to.path);
  if (!plain) {
    // Onto an existing file, from a file created in the window, into or out
    // of the filters: each path says what happened to it.
    emit(from, wanted, out);
    emit(to, wanted, out);
    return;
  }
  out.push_back(FileChange{ChangeKind::renamed, to.path, from.path, to.is_dir,
                           std::max(from.last, to.last), to.writing});
}

std::vector<FileChange> Coalescer::take_due(Clock::time_point now, const Wanted& wanted) {
  std::vector<Pending*> ready;
  for (auto& [path, p] : pending_) {
    Clock::time_point when = due(p);
    // The halves of a rename go out together, when both are quiet.
    if (const Pending* other = partner(p)) when = std::max(when, due(*other));
    if (when <= now) ready.push_back(&p);
  }
  std::vector<FileChange> out;
  if (ready.empty()) return out;
  std::sort(ready.begin(), ready.end(), [](const Pending* a, const Pending* b) {
    return a->last != b->last ? a->last < b->last : a->order < b->order;
  });
  for (Pending* p : ready) {
    if (p->done) continue;
    const Pending* other = partner(*p);
    // A path can be both halves' partner (JetBrains' safe write renames the
    // target away and a temporary file onto it): it is reported once.
    if (other != nullptr && other->done) other = nullptr;
    if (other == nullptr) {
      emit(*p, wanted, out);
    } else {
      const Pending& from = p->moved_to.empty() ? *other : *p;
      const Pending& to = p->moved_to.empty() ? *p : *other;
      emit_pair(from, to, wanted, out);
      find(other->path)->done = true;
    }
    p->done = true;
  }
  std::erase_if(pending_, [](const auto& entry) { return entry.second.done; });
  return out;
}

std::optional<Clock::time_point> Coalescer::next_due() const {
  std::optional<Clock::time_point> next;
  for (const auto& [path, p] : pending_) {
    Clock::time_point when = due(p);
    if (const Pending* other = partner(p)) when = std::max(when, due(*other));
    if (!next || when < *next) next = when;
  }
  return next;
}

}  // namespace hotmod::watch
