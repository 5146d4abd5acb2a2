// Which module imports which: the edges importer -> imported that
// Context::import records, kept acyclic.
//
// An edge is recorded *before* the imported module is loaded or locked, and
// refused when it would close a cycle. That is what turns two threads
// importing each other's modules from inside their hooks (each holding its
// own module's lock, each about to take the other's) into an error instead of
// a deadlock: whichever edge comes second is refused.
//
// Edges belong to the version of the importer that recorded them. While a
// new version starts, the module's imports are those of both versions (the
// old one still runs until the new one's on_load returns); settle() then
// keeps only the running version's, so a version that stops importing a
// module stops being its dependent, and a failed reload keeps the old
// version's edges.
//
// Thread-safety: every member may be called from any thread. The graph's
// lock is a leaf: nothing is called out while it is held.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace hotmod::registry {

class ImportGraph {
 public:
  struct Added {
    bool ok = true;      // false: refused, `cycle` says why
    bool fresh = false;  // the edge was not recorded before (by this version)
    std::string cycle;   // "c -> a -> b -> c": from, to, ..., from
  };

  // Records that `version` of `from` imports `to`. Refused when `to` already
  // imports `from`, directly or not (a module importing itself too); the
  // cycle then starts with the refused edge. A version older than the one
  // settled as running is checked but not recorded: it is on its way out.
  Added add_edge(std::string_view from, std::string_view to, std::uint64_t version = 0);
  // Undoes a fresh add_edge whose import then failed.
  void remove_edge(std::string_view from, std::string_view to, std::uint64_t version = 0);
  // Forgets every edge out of `module`, of every version.
  void clear_imports_of(std::string_view module);
  // `running` is the version of `module` now current (0: none is loaded):
  // edges recorded by any other version are dropped.
  void settle(std::string_view module, std::uint64_t running);

  // Direct imports and direct dependents, sorted by name.
  std::vector<std::string> imports_of(std::string_view module) const;
  std::vector<std::string> dependents_of(std::string_view module) const;
  // Every module that imports `module`, directly or not, each after every
  // other listed module it imports: the order to tell them it changed.
  // Among those ready at once, the nearest to `module` comes first, then by
  // name.
  std::vector<std::string> dependents_in_order(std::string_view module) const;
  // `names` (duplicates dropped) with every module after those it imports,
  // directly or through modules not in `names`; ties by name.
  std::vector<std::string> reload_order(const std::vector<std::string>& names) const;

 private:
  using Names = std::set<std::string, std::less<>>;
  struct Node {
    std::map<std::uint64_t, Names> by_version;  // importer's version -> imports
    std::uint64_t running = 0;                  // last settled version
  };
  using Adjacency = std::map<std::string, Names, std::less<>>;

  // Imports of every module, all versions merged. Caller holds mu_.
  Adjacency imports_locked() const;
  static Adjacency reversed(const Adjacency& imports);
  // A shortest import path from `from` to `to` ("" when none), ties by name.
  static std::vector<std::string> path(const Adjacency& imports, const std::string& from,
                                       const std::string& to);

  mutable std::mutex mu_;
  std::map<std::string, Node, std::less<>> nodes_;  // guarded by mu_
};

}  // namespace hotmod::registry
