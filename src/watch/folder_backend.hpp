// One way of watching folders. The engine walks the tree itself and adds
// each folder it wants, one at a time, to the kernel backend (inotify) or,
// when that refuses, to the polling backend; so a tree can be watched partly
// by each, and the polling backend is the fallback that always works.
#pragma once

#include <cstddef>
#include <string>

namespace hotmod::watch {

class FolderBackend {
 public:
  enum class Added {
    ok,
    limit,   // no more watches (kernel limit or WatchOptions::max_kernel_watches): poll it
    gone,    // it is no longer there (its removal is being reported)
    denied,  // no permission to watch it
    failed,  // anything else: poll it
  };
  struct AddResult {
    Added status = Added::ok;
    int error = 0;  // errno, when there is one
  };

  virtual ~FolderBackend() = default;
  // Watches `dir` itself, not its subfolders. A root may be a symbolic link
  // to a folder; folders below are never followed through links.
  virtual AddResult add(const std::string& dir, bool is_root) = 0;
  virtual void remove(const std::string& dir) = 0;
  // `from` and every folder below it were renamed to `to`. A kernel watch
  // follows the folder, so only its name changes.
  virtual void rename(const std::string& from, const std::string& to) = 0;
  virtual std::size_t folders() const = 0;
};

}  // namespace hotmod::watch
