#include "registry/import_graph.hpp"

#include <algorithm>
#include <deque>
#include <utility>

#include <fmt/format.h>

namespace hotmod::registry {
namespace {

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : " -> ") + n;
  return out;
}

}  // namespace

ImportGraph::Added ImportGraph::add_edge(std::string_view from, std::string_view to,
                                         std::uint64_t version) {
  std::lock_guard lock(mu_);
  Added added;
  const std::string importer(from), imported(to);
  std::vector<std::string> back =
      from == to ? std::vector<std::string>{importer} : path(imports_locked(), imported, importer);
  if (!back.empty()) {
    added.ok = false;
    added.cycle = fmt::format("{} -> {}", importer, join(back));
    return added;
  }
  Node& node = nodes_[importer];
  if (version < node.running) return added;  // an old version's late import: checked only
  added.fresh = node.by_version[version].insert(imported).second;
  return added;
}

void ImportGraph::remove_edge(std::string_view from, std::string_view to, std::uint64_t version) {
  std::lock_guard lock(mu_);
  auto node = nodes_.find(from);
  if (node == nodes_.end()) return;
  auto edges = node->second.by_version.find(version);
  if (edges == node->second.by_version.end()) return;
  if (auto it = edges->second.find(to); it != edges->second.end()) edges->second.erase(it);
  if (edges->second.empty()) node->second.by_version.erase(edges);
}

void ImportGraph::clear_imports_of(std::string_view module) {
  std::lock_guard lock(mu_);
  if (auto node = nodes_.find(module); node != nodes_.end()) node->second.by_version.clear();
}

void ImportGraph::settle(std::string_view module, std::uint64_t running) {
  std::lock_guard lock(mu_);
  auto node = nodes_.find(module);
  if (node == nodes_.end()) node = nodes_.emplace(std::string(module), Node{}).first;
  std::erase_if(node->second.by_version, [&](const auto& v) { return v.first != running; });
  node->second.running = running;
}

std::vector<std::string> ImportGraph::imports_of(std::string_view module) const {
  std::lock_guard lock(mu_);
  Adjacency imports = imports_locked();
  auto it = imports.find(module);
  if (it == imports.end()) return {};
  return {it->second.begin(), it->second.end()};
}

std::vector<std::string> ImportGraph::dependents_of(std::string_view module) const {
  std::lock_guard lock(mu_);
  Adjacency dependents = reversed(imports_locked());
  auto it = dependents.find(module);
  if (it == dependents.end()) return {};
  return {it->second.begin(), it->second.end()};
}

std::vector<std::string> ImportGraph::dependents_in_order(std::string_view module) const {
  Adjacency imports;
  {
    std::lock_guard lock(mu_);
    imports = imports_locked();
  }
  const Adjacency dependents = reversed(imports);
  auto next = [&](const std::string& m) -> const Names& {
    static const Names kNone;
    auto it = dependents.find(m);
    return it == dependents.end() ? kNone : it->second;
  };
  // Distance from `module`, breadth first: how near each dependent is.
  std::map<std::string, std::size_t, std::less<>> distance;
  std::deque<std::string> queue{std::string(module)};
  distance.emplace(std::string(module), 0);
  while (!queue.empty()) {
    std::string m = std::move(queue.front());
    queue.pop_front();
    for (const std::string& d : next(m))
      if (distance.emplace(d, distance.at(m) + 1).second) queue.push_back(d);
  }
  distance.erase(distance.find(module));
  // Kahn's algorithm over the dependents: one is ready once every dependent
  // it imports has been listed.
  std::map<std::string, std::size_t, std::less<>> waiting;
  std::set<std::pair<std::size_t, std::string>> ready;
  for (const auto& [d, dist] : distance) {
    std::size_t n = 0;
    for (const std::string& i : imports[d]) n += distance.count(i);
    waiting[d] = n;
    if (n == 0) ready.emplace(dist, d);
  }
  std::vector<std::string> order;
  while (!ready.empty()) {
    std::string m = ready.begin()->second;
    ready.erase(ready.begin());
    for (const std::string& d : next(m))
      if (--waiting[d] == 0) ready.emplace(distance.at(d), d);
    order.push_back(std::move(m));
  }
  return order;
}

std::vector<std::string> ImportGraph::reload_order(const std::vector<std::string>& names) const {
  Adjacency imports;
  {
    std::lock_guard lock(mu_);
    imports = imports_locked();
  }
  const Adjacency dependents = reversed(imports);
  const Names wanted(names.begin(), names.end());
  // Kahn's algorithm over the whole graph, so that an import through a
  // module not in `names` still orders the two that are.
  std::map<std::string, std::size_t, std::less<>> waiting;
  for (const std::string& n : wanted) waiting[n] = 0;
  for (const auto& [m, to] : imports) {
    waiting[m] = to.size();
    for (const std::string& t : to) waiting.try_emplace(t, 0);
  }
  Names ready;
  for (const auto& [m, n] : waiting)
    if (n == 0) ready.insert(m);
  std::vector<std::string> order;
  while (!ready.empty()) {
    std::string m = *ready.begin();
    ready.erase(ready.begin());
    if (auto d = dependents.find(m); d != dependents.end())
      for (const std::string& i : d->second)
        if (--waiting[i] == 0) ready.insert(i);
    if (wanted.count(m) != 0) order.push_back(std::move(m));
  }
  return order;
}

ImportGraph::Adjacency ImportGraph::imports_locked() const {
  Adjacency out;
  for (const auto& [name, node] : nodes_) {
    for (const auto& [version, to] : node.by_version) {
      if (to.empty()) continue;
      out[name].insert(to.begin(), to.end());
    }
  }
  return out;
}

ImportGraph::Adjacency ImportGraph::reversed(const Adjacency& imports) {
  Adjacency out;
  for (const auto& [from, to] : imports)
    for (const std::string& t : to) out[t].insert(from);
  return out;
}

std::vector<std::string> ImportGraph::path(const Adjacency& imports, const std::string& from,
                                           const std::string& to) {
  std::map<std::string, std::string, std::less<>> parent{{from, ""}};
  std::deque<std::string> queue{from};
  while (!queue.empty()) {
    const std::string m = std::move(queue.front());
    queue.pop_front();
    if (m == to) {
      std::vector<std::string> out{m};
      for (std::string p = parent.at(m); !p.empty(); p = parent.at(p)) out.push_back(p);
      std::reverse(out.begin(), out.end());
      return out;
    }
    auto it = imports.find(m);
    if (it == imports.end()) continue;
    for (const std::string& next : it->second)
      if (parent.emplace(next, m).second) queue.push_back(next);
  }
  return {};
}

}  // namespace hotmod::registry
