// hotmod::Value <-> Lua values, on a plain lua_State.
#include <functional>

#include <gtest/gtest.h>

#include <lua.hpp>

#include "script/lua_guard.hpp"
#include "script/lua_value.hpp"

namespace {

using hotmod::Value;
using hotmod::script::args_to_value;
using hotmod::script::protect;
using hotmod::script::push_value;
using hotmod::script::to_value;

class LuaValue : public ::testing::Test {
 protected:
  LuaValue() : L(luaL_newstate()) { luaL_openlibs(L); }
  ~LuaValue() override { lua_close(L); }

  // Pushes `v` (under protect, as the library does); false on a Lua error,
  // whose message is then in `error`.
  bool push(const Value& v) {
    auto fn = [&v](lua_State* S) noexcept {
      push_value(S, v);
      return 1;
    };
    if (protect(L, 0, 1, fn) == LUA_OK) return true;
    error = lua_tostring(L, -1);
    lua_pop(L, 1);
    return false;
  }

  Value round_trip(const Value& v) {
    EXPECT_TRUE(push(v)) << error;
    std::optional<Value> back = to_value(L, -1, "value", error);
    lua_pop(L, 1);
    EXPECT_TRUE(back.has_value()) << error;
    return back.value_or(Value("<not read>"));
  }

  // Runs `code`, which returns one value, and reads it as "argument 2".
  std::optional<Value> read(const char* code) {
    EXPECT_EQ(luaL_dostring(L, code), LUA_OK) << lua_tostring(L, -1);
    std::optional<Value> v = to_value(L, -1, "argument 2", error);
    lua_settop(L, 0);
    return v;
  }

  // What Lua's tostring makes of the value on top.
  std::string lua_text() {
    std::string s = luaL_tolstring(L, -1, nullptr);
    lua_pop(L, 2);
    return s;
  }

  lua_State* L;
  std::string error;
};

TEST_F(LuaValue, IntegersAndFloatsKeepTheirKind) {
  const Value i = round_trip(Value(16));
  EXPECT_TRUE(i.is_number_integer());
  EXPECT_EQ(i, 16);
  const Value f = round_trip(Value(4.0));
  EXPECT_TRUE(f.is_number_float());
  EXPECT_EQ(f.get<double>(), 4.0);

  ASSERT_TRUE(push(Value(4.0)));
  EXPECT_FALSE(lua_isinteger(L, -1));
  EXPECT_EQ(lua_text(), "4.0");
  ASSERT_TRUE(push(Value(16)));
  EXPECT_TRUE(lua_isinteger(L, -1));
  EXPECT_EQ(lua_text(), "16");
}

TEST_F(LuaValue, LuaNumbersReadAsTheirKind) {
  EXPECT_TRUE(read("return 2^2")->is_number_float());
  EXPECT_TRUE(read("return 7 // 2")->is_number_integer());
  EXPECT_EQ(*read("return -9007199254740993"), Value(-9007199254740993LL));
}

TEST_F(LuaValue, UnsignedBeyondIntegerRangeBecomesFloat) {
  const Value big = round_trip(Value(std::uint64_t{18446744073709551615ULL}));
  EXPECT_TRUE(big.is_number_float());
  const Value small = round_trip(Value(std::uint64_t{42}));
  EXPECT_TRUE(small.is_number_integer());
  EXPECT_EQ(small, 42);
}

TEST_F(LuaValue, NestedValuesRoundTrip) {
  const Value v = Value::parse(R"({
    "name": "ada", "ok": true, "ratio": 0.5, "count": 3,
    "tags": ["a", "b", "c"],
    "inner": {"list": [1, 2.5, {"deep": [[1], [2, 3]]}], "empty_text": ""}
  })");
  EXPECT_EQ(round_trip(v), v);
  EXPECT_EQ(round_trip(Value(nullptr)), Value(nullptr));
  EXPECT_EQ(round_trip(Value(false)), Value(false));
  const std::string with_nul("a\0b", 3);
  EXPECT_EQ(round_trip(Value(with_nul)).get<std::string>(), with_nul);
}

TEST_F(LuaValue, EmptyTablesReadAsEmptyArrays) {
  EXPECT_EQ(round_trip(Value::array()), Value::array());
  EXPECT_EQ(round_trip(Value::object()), Value::array());
  EXPECT_EQ(*read("return {}"), Value::array());
  EXPECT_EQ(*read("return {list = {}}"), Value::parse(R"({"list": []})"));
}

TEST_F(LuaValue, KeysOutsideASequenceBecomeStrings) {
  EXPECT_EQ(*read("return {1, 2, x = 3}"), Value::parse(R"({"1": 1, "2": 2, "x": 3})"));
  EXPECT_EQ(*read("return {[5] = 'five'}"), Value::parse(R"({"5": "five"})"));
  EXPECT_EQ(*read("return {10, 20, 30}"), Value::parse("[10, 20, 30]"));
  // A null inside an array leaves a hole, which no longer reads as a sequence.
  EXPECT_EQ(round_trip(Value::parse("[1, null, 3]")), Value::parse(R"({"1": 1, "3": 3})"));
}

TEST_F(LuaValue, FunctionsAreRefusedNamingWhereTheyAre) {
  EXPECT_FALSE(read("return {cb = function() end}"));
  EXPECT_EQ(error,
            "argument 2: field 'cb' is a function; only nil, booleans, numbers, strings and "
            "tables cross module boundaries");
  EXPECT_FALSE(read("return {a = {b = {1, print}}}"));
  EXPECT_EQ(error.substr(0, 41), "argument 2: field 'a.b[2]' is a function;");
  EXPECT_FALSE(read("return print"));
  EXPECT_EQ(error.substr(0, 27), "argument 2 is a function; o");
  EXPECT_FALSE(read("return {co = coroutine.create(print)}"));
  EXPECT_EQ(error.substr(0, 34), "argument 2: field 'co' is a thread");
  EXPECT_FALSE(read("return {f = io.stdout}"));
  EXPECT_EQ(error.substr(0, 35), "argument 2: field 'f' is a userdata");
}

TEST_F(LuaValue, CyclesAreRefusedSharedTablesAreNot) {
  EXPECT_FALSE(read("local t = {x = {}} t.x.back = t return t"));
  EXPECT_EQ(error,
            "argument 2: field 'x.back' is a table that contains itself (a cycle); only trees of "
            "tables cross module boundaries");
  EXPECT_EQ(*read("local s = {1} return {a = s, b = s}"), Value::parse(R"({"a": [1], "b": [1]})"));
}

// {a = x, b = x} nested n deep: n + 1 tables, 2^n leaves. Each table is read
// from Lua once and copied after; the expansion is capped, not walked.
TEST_F(LuaValue, TablesSharedAtEveryLevelAreReadOnceAndTheirExpansionIsCapped) {
  std::optional<Value> v = read("local x = {1} for i = 1, 12 do x = {a = x, b = x} end return x");
  ASSERT_TRUE(v) << error;
  Value leaf = *v;
  for (int i = 0; i < 12; ++i) {
    ASSERT_TRUE(leaf.is_object());
    EXPECT_EQ(leaf["a"], leaf["b"]);
    leaf = leaf["a"];
  }
  EXPECT_EQ(leaf, Value::parse("[1]"));
  std::size_t leaves = 0;
  std::function<void(const Value&)> count = [&](const Value& node) {
    if (node.is_array()) ++leaves;
    if (node.is_object())
      for (const Value& child : node) count(child);
  };
  count(*v);
  EXPECT_EQ(leaves, 4096u) << "every place a shared table appears holds its copy";

  // A shared table is as deep at each place it is copied to.
  EXPECT_FALSE(read(R"(local deep = {} local d = deep for i = 1, 59 do d.n = {} d = d.n end
local chain = {} local c = chain for i = 1, 58 do c.n = {} c = c.n end c.n = deep
return {a = deep, b = chain})"));
  EXPECT_NE(error.find("nested more than 100 tables deep"), std::string::npos) << error;

  // 2^60 leaves: refused at once, naming why.
  EXPECT_FALSE(read("local x = {1} for i = 1, 60 do x = {a = x, b = x} end return x"));
  EXPECT_NE(error.find("argument 2"), std::string::npos) << error;
  EXPECT_NE(error.find("expands to more than 1000000 values"), std::string::npos) << error;
}

TEST_F(LuaValue, KeysMustBeStringsOrIntegers) {
  EXPECT_FALSE(read("return {[true] = 1}"));
  EXPECT_EQ(error,
            "argument 2 has a key that is a boolean; only string and integer keys cross module "
            "boundaries");
  EXPECT_FALSE(read("return {inner = {[1.5] = 1}}"));
  EXPECT_EQ(error.substr(0, 45), "argument 2: field 'inner' has a key that is a");
  EXPECT_FALSE(read("return {[1] = 'a', ['1'] = 'b', x = 1}"));
  EXPECT_NE(error.find("appears twice"), std::string::npos) << error;
}

TEST_F(LuaValue, DepthIsLimitedBothWays) {
  EXPECT_FALSE(
      read("local t = {} local top = t for i = 1, 150 do t.n = {} t = t.n end return top"));
  EXPECT_NE(error.find("nested more than 100 tables deep"), std::string::npos) << error;

  Value deep = 1;
  for (int i = 0; i < 150; ++i) deep = Value::array({deep});
  EXPECT_FALSE(push(deep));
  EXPECT_NE(error.find("nested more than 100 levels deep"), std::string::npos) << error;
  EXPECT_EQ(lua_gettop(L), 0);
}

TEST_F(LuaValue, ArgumentsAreNumberedFromTheFirst) {
  lua_pushinteger(L, 1);
  lua_pushstring(L, "two");
  lua_pushnumber(L, 3.5);
  std::optional<Value> args = args_to_value(L, 2, error);
  ASSERT_TRUE(args) << error;
  EXPECT_EQ(*args, Value::parse(R"(["two", 3.5])"));

  lua_pushcfunction(L, [](lua_State*) { return 0; });
  EXPECT_FALSE(args_to_value(L, 1, error));
  EXPECT_EQ(error.substr(0, 26), "argument 4 is a function; ");
}

}  // namespace
