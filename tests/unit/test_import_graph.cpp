// registry/import_graph: cycles refused with every module named, the orders
// dependents are told in and modules reloaded in, and edges owned by the
// importer's versions.
#include "registry/import_graph.hpp"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace hotmod::registry {
namespace {

using Names = std::vector<std::string>;

void add(ImportGraph& g, std::string_view from, std::string_view to, std::uint64_t version = 0) {
  ImportGraph::Added a = g.add_edge(from, to, version);
  ASSERT_TRUE(a.ok) << from << " -> " << to << ": " << a.cycle;
}

// d imports b and c, both import a.
void diamond(ImportGraph& g) {
  add(g, "d", "b");
  add(g, "d", "c");
  add(g, "b", "a");
  add(g, "c", "a");
}

TEST(ImportGraph, EdgesAreRecordedBothWays) {
  ImportGraph g;
  diamond(g);
  EXPECT_EQ(g.imports_of("d"), (Names{"b", "c"}));
  EXPECT_EQ(g.imports_of("a"), Names{});
  EXPECT_EQ(g.dependents_of("a"), (Names{"b", "c"}));
  EXPECT_EQ(g.dependents_of("b"), Names{"d"});
  EXPECT_EQ(g.dependents_of("d"), Names{});
  EXPECT_EQ(g.dependents_of("unknown"), Names{});
}

TEST(ImportGraph, SecondAddOfAnEdgeIsNotFresh) {
  ImportGraph g;
  EXPECT_TRUE(g.add_edge("b", "a").fresh);
  ImportGraph::Added again = g.add_edge("b", "a");
  EXPECT_TRUE(again.ok);
  EXPECT_FALSE(again.fresh);
}

TEST(ImportGraph, CycleIsRefusedNamingEveryModuleFromTheRefusedEdge) {
  ImportGraph g;
  add(g, "a", "b");
  add(g, "b", "c");
  ImportGraph::Added closing = g.add_edge("c", "a");
  EXPECT_FALSE(closing.ok);
  EXPECT_EQ(closing.cycle, "c -> a -> b -> c");
  EXPECT_EQ(g.imports_of("c"), Names{}) << "a refused edge is not recorded";
  EXPECT_EQ(g.dependents_in_order("c"), (Names{"b", "a"}));
}

TEST(ImportGraph, ImportingItselfIsACycle) {
  ImportGraph g;
  ImportGraph::Added self = g.add_edge("a", "a");
  EXPECT_FALSE(self.ok);
  EXPECT_EQ(self.cycle, "a -> a");
}

TEST(ImportGraph, ShortestCycleIsReported) {
  ImportGraph g;
  add(g, "a", "b");
  add(g, "a", "x");
  add(g, "b", "c");
  add(g, "c", "d");
  add(g, "x", "d");
  EXPECT_EQ(g.add_edge("d", "a").cycle, "d -> a -> x -> d");
}

TEST(ImportGraph, DependentsInOrderListEachAfterTheDependentsItImports) {
  ImportGraph g;
  diamond(g);
  EXPECT_EQ(g.dependents_in_order("a"), (Names{"b", "c", "d"}));
  EXPECT_EQ(g.dependents_in_order("b"), Names{"d"});
  EXPECT_EQ(g.dependents_in_order("d"), Names{});
}

TEST(ImportGraph, NearDependentWaitsForFartherOnesItImports) {
  ImportGraph g;
  diamond(g);
  add(g, "e", "a");  // near a ...
  add(g, "e", "d");  // ... but after d, which it imports
  add(g, "f", "a");
  EXPECT_EQ(g.dependents_in_order("a"), (Names{"b", "c", "f", "d", "e"}));
}

TEST(ImportGraph, NearestFirstThenByName) {
  ImportGraph g;
  add(g, "z", "a");
  add(g, "m", "z");  // two steps away: after every direct dependent
  add(g, "y", "a");
  add(g, "b", "a");
  EXPECT_EQ(g.dependents_in_order("a"), (Names{"b", "y", "z", "m"}));
}

TEST(ImportGraph, ReloadOrderPutsImportsFirst) {
  ImportGraph g;
  diamond(g);
  EXPECT_EQ(g.reload_order({"d", "c", "b", "a"}), (Names{"a", "b", "c", "d"}));
  EXPECT_EQ(g.reload_order({"d", "a", "d"}), (Names{"a", "d"})) << "duplicates dropped";
  EXPECT_EQ(g.reload_order({"x", "d", "w"}), (Names{"d", "w", "x"})) << "unrelated: by name";
}

TEST(ImportGraph, ReloadOrderFollowsImportsThroughModulesNotListed) {
  ImportGraph g;
  add(g, "a", "m");  // a imports m imports z
  add(g, "m", "z");
  EXPECT_EQ(g.reload_order({"a", "z"}), (Names{"z", "a"}));
}

TEST(ImportGraph, ClearImportsOfForgetsOutgoingEdgesOnly) {
  ImportGraph g;
  diamond(g);
  g.clear_imports_of("b");
  EXPECT_EQ(g.imports_of("b"), Names{});
  EXPECT_EQ(g.dependents_of("b"), Names{"d"});
  EXPECT_EQ(g.dependents_in_order("a"), (Names{"c", "d"}));
}

TEST(ImportGraph, RemoveEdgeUndoesAFreshEdgeOfThatVersion) {
  ImportGraph g;
  add(g, "b", "a", 1);
  add(g, "b", "a", 2);
  g.remove_edge("b", "a", 2);
  EXPECT_EQ(g.imports_of("b"), Names{"a"}) << "version 1 still imports a";
  g.remove_edge("b", "a", 1);
  EXPECT_EQ(g.imports_of("b"), Names{});
}

TEST(ImportGraph, StartingVersionAddsToTheRunningOnesImportsUntilSettled) {
  ImportGraph g;
  add(g, "x", "old", 1);
  g.settle("x", 1);
  add(g, "x", "new", 2);
  EXPECT_EQ(g.imports_of("x"), (Names{"new", "old"})) << "both may run while 2 starts";
  g.settle("x", 2);  // version 2 runs: it no longer imports 'old'
  EXPECT_EQ(g.imports_of("x"), Names{"new"});
  EXPECT_EQ(g.dependents_of("old"), Names{});
}

TEST(ImportGraph, FailedVersionLeavesTheRunningOnesImports) {
  ImportGraph g;
  add(g, "x", "old", 1);
  g.settle("x", 1);
  add(g, "x", "new", 2);
  g.settle("x", 1);  // version 2 failed to start
  EXPECT_EQ(g.imports_of("x"), Names{"old"});
}

TEST(ImportGraph, VersionThatImportsNothingDropsTheEdgesWhenSettled) {
  ImportGraph g;
  add(g, "x", "old", 1);
  g.settle("x", 1);
  g.settle("x", 2);
  EXPECT_EQ(g.imports_of("x"), Names{});
  g.settle("y", 0);  // a module whose first load failed: nothing to keep
  EXPECT_EQ(g.imports_of("y"), Names{});
}

TEST(ImportGraph, RetiredVersionIsCheckedButNotRecorded) {
  ImportGraph g;
  add(g, "y", "x", 1);
  g.settle("x", 2);
  ImportGraph::Added late = g.add_edge("x", "z", 1);  // a call still in flight in version 1
  EXPECT_TRUE(late.ok);
  EXPECT_FALSE(late.fresh);
  EXPECT_EQ(g.imports_of("x"), Names{});
  EXPECT_FALSE(g.add_edge("x", "y", 1).ok) << "still refused: it would close a cycle";
}

TEST(ImportGraph, ConcurrentOppositeEdgesOneIsRefused) {
  for (int round = 0; round < 200; ++round) {
    ImportGraph g;
    std::atomic<int> refused{0};
    std::thread a([&] { refused += g.add_edge("x", "y").ok ? 0 : 1; });
    std::thread b([&] { refused += g.add_edge("y", "x").ok ? 0 : 1; });
    a.join();
    b.join();
    ASSERT_EQ(refused.load(), 1);
    ASSERT_EQ(g.imports_of("x").size() + g.imports_of("y").size(), 1u);
  }
}

}  // namespace
}  // namespace hotmod::registry
