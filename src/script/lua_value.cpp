#include "script/lua_value.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <unordered_map>
#include <utility>
#include <vector>

#include <lua.hpp>

namespace hotmod::script {
namespace {

constexpr const char* kCrossable =
    "only nil, booleans, numbers, strings and tables cross module boundaries";

void push_at_depth(lua_State* L, const Value& value, int depth) {
  if (depth > kMaxDepth) luaL_error(L, "value nested more than %d levels deep", kMaxDepth);
  luaL_checkstack(L, 3, "value nested too deeply");
  switch (value.type()) {
    case Value::value_t::boolean:
      lua_pushboolean(L, value.get<bool>() ? 1 : 0);
      return;
    case Value::value_t::number_integer:
      lua_pushinteger(L, static_cast<lua_Integer>(value.get<std::int64_t>()));
      return;
    case Value::value_t::number_unsigned: {
      const std::uint64_t u = value.get<std::uint64_t>();
      if (u <= static_cast<std::uint64_t>(std::numeric_limits<lua_Integer>::max())) {
        lua_pushinteger(L, static_cast<lua_Integer>(u));
      } else {
        lua_pushnumber(L, static_cast<lua_Number>(u));
      }
      return;
    }
    case Value::value_t::number_float:
      lua_pushnumber(L, value.get<double>());
      return;
    case Value::value_t::string: {
      const auto& s = value.get_ref<const std::string&>();
      lua_pushlstring(L, s.data(), s.size());
      return;
    }
    case Value::value_t::binary: {
      const auto& b = value.get_binary();
      lua_pushlstring(L, reinterpret_cast<const char*>(b.data()), b.size());
      return;
    }
    case Value::value_t::array: {
      const auto& a = value.get_ref<const Value::array_t&>();
      lua_createtable(L, static_cast<int>(a.size()), 0);
      lua_Integer i = 1;
      for (const Value& e : a) {
        push_at_depth(L, e, depth + 1);
        lua_rawseti(L, -2, i++);
      }
      return;
    }
    case Value::value_t::object: {
      const auto& o = value.get_ref<const Value::object_t&>();
      lua_createtable(L, 0, static_cast<int>(o.size()));
      for (const auto& [key, e] : o) {
        lua_pushlstring(L, key.data(), key.size());
        push_at_depth(L, e, depth + 1);
        lua_rawset(L, -3);
      }
      return;
    }
    case Value::value_t::null:
    case Value::value_t::discarded:
      lua_pushnil(L);
      return;
  }
  lua_pushnil(L);
}

// Reads one value tree. Uses only API functions that cannot raise.
//
// A table reached more than once (shared, not a cycle) is read from Lua once
// and copied after: {a = x, b = x} nested n deep holds n + 1 tables but
// expands to 2^n values, so reading it again at each place would cost 2^n
// table walks. The expansion is still a tree of that size, so it is capped
// at kMaxValues values, and refused beyond with the reason.
class Reader {
 public:
  Reader(lua_State* L, std::string_view what, std::string& error)
      : L_(L), what_(what), error_(error) {}

  // The value at `index`, whole.
  bool read_root(int index, Value& out) {
    index = lua_absindex(L_, index);
    if (lua_type(L_, index) == LUA_TTABLE) count_references(index, 0);
    return read(index, out);
  }

 private:
  bool read(int index, Value& out) {
    index = lua_absindex(L_, index);
    if (lua_type(L_, index) != LUA_TTABLE && !produced(1)) return false;
    switch (lua_type(L_, index)) {
      case LUA_TNIL:
        out = nullptr;
        return true;
      case LUA_TBOOLEAN:
        out = lua_toboolean(L_, index) != 0;
        return true;
      case LUA_TNUMBER:
        if (lua_isinteger(L_, index)) {
          out = static_cast<std::int64_t>(lua_tointeger(L_, index));
        } else {
          out = static_cast<double>(lua_tonumber(L_, index));
        }
        return true;
      case LUA_TSTRING: {
        std::size_t len = 0;
        const char* s = lua_tolstring(L_, index, &len);
        out = std::string(s, len);
        return true;
      }
      case LUA_TTABLE:
        return read_table(index, out);
      default:
        return refuse(
            fmt::format("is a {}; {}", lua_typename(L_, lua_type(L_, index)), kCrossable));
    }
  }

  // How many times each table is reached from the root, each table's
  // contents walked once. Depth beyond kMaxDepth is left to read_table,
  // which refuses it.
  void count_references(int t, int depth) {
    if (++references_[lua_topointer(L_, t)] > 1 || depth >= kMaxDepth || !lua_checkstack(L_, 3))
      return;
    lua_pushnil(L_);
    while (lua_next(L_, t) != 0) {
      if (lua_type(L_, -1) == LUA_TTABLE) count_references(lua_absindex(L_, -1), depth + 1);
      lua_pop(L_, 1);
    }
  }

  // Counts `n` more values in the result; false (and the reason) past the cap.
  bool produced(std::size_t n) {
    values_ += n;
    if (values_ <= kMaxValues) return true;
    return refuse(fmt::format(
        "expands to more than {} values (tables shared at many places are copied to each); "
        "pass less, or refer to shared parts by key",
        kMaxValues));
  }

  bool read_table(int t, Value& out) {
    const void* self = lua_topointer(L_, t);
    if (auto seen = copies_.find(self); seen != copies_.end()) {
      // Its copy nests as deep here as where it was read.
      if (open_.size() + seen->second.depth > static_cast<std::size_t>(kMaxDepth))
        return refuse(fmt::format("is nested more than {} tables deep", kMaxDepth));
      deepest_ = std::max(deepest_, open_.size() + seen->second.depth);
      if (!produced(seen->second.values)) return false;
      out = seen->second.value;
      return true;
    }
    for (const void* open : open_) {
      if (open == self) {
        return refuse(
            "is a table that contains itself (a cycle); only trees of tables cross "
            "module boundaries");
      }
    }
    if (open_.size() >= static_cast<std::size_t>(kMaxDepth) || !lua_checkstack(L_, 4)) {
      return refuse(fmt::format("is nested more than {} tables deep", kMaxDepth));
    }
    open_.push_back(self);
    const std::size_t level = open_.size();
    const std::size_t outer_deepest = std::exchange(deepest_, level);
    const std::size_t before = values_;
    const bool ok = produced(1) && (is_sequence(t) ? read_array(t, out) : read_object(t, out));
    open_.pop_back();
    const std::size_t depth = deepest_ - level + 1;  // tables from this one down
    deepest_ = std::max(outer_deepest, deepest_);
    auto references = references_.find(self);
    if (ok && references != references_.end() && references->second > 1)
      copies_.emplace(self, Copy{out, values_ - before, depth});
    return ok;
  }

  // Keys exactly 1..n, n >= 0 (an empty table is an empty array).
  bool is_sequence(int t) {
    const lua_Unsigned n = lua_rawlen(L_, t);
    lua_Unsigned count = 0;
    lua_pushnil(L_);
    while (lua_next(L_, t) != 0) {
      lua_pop(L_, 1);
      ++count;
      const bool in_range = lua_isinteger(L_, -1) && lua_tointeger(L_, -1) >= 1 &&
                            static_cast<lua_Unsigned>(lua_tointeger(L_, -1)) <= n;
      if (!in_range) {
        lua_pop(L_, 1);
        return false;
      }
    }
    return count == n;
  }

  bool read_array(int t, Value& out) {
    out = Value::array();
    const lua_Unsigned n = lua_rawlen(L_, t);
    for (lua_Unsigned i = 1; i <= n; ++i) {
      lua_rawgeti(L_, t, static_cast<lua_Integer>(i));
      std::string index = "[";  // appended: g++ 12 -Wrestrict misfires on "[" + string at -O3
      index.append(std::to_string(i)).append("]");
      const std::size_t mark = enter(index);
      Value element;
      const bool ok = read(-1, element);
      lua_pop(L_, 1);
      if (!ok) return false;
      leave(mark);
      out.push_back(std::move(element));
    }
    return true;
  }

  bool read_object(int t, Value& out) {
    out = Value::object();
    lua_pushnil(L_);
    while (lua_next(L_, t) != 0) {
      std::string key;
      if (!key_text(key)) {
        lua_pop(L_, 2);
        return false;
      }
      const std::size_t mark = enter(path_.empty() ? key : "." + key);
      if (out.contains(key)) {
        lua_pop(L_, 2);
        return refuse("appears twice, as a number and as a string key");
      }
      Value element;
      const bool ok = read(-1, element);
      lua_pop(L_, 1);
      if (!ok) {
        lua_pop(L_, 1);
        return false;
      }
      leave(mark);
      out[key] = std::move(element);
    }
    return true;
  }

  // The key at -2 as an object key; never converts it in place (lua_next).
  bool key_text(std::string& key) {
    switch (lua_type(L_, -2)) {
      case LUA_TSTRING: {
        std::size_t len = 0;
        const char* s = lua_tolstring(L_, -2, &len);
        key.assign(s, len);
        return true;
      }
      case LUA_TNUMBER:
        if (lua_isinteger(L_, -2)) {
          key = std::to_string(lua_tointeger(L_, -2));
          return true;
        }
        return refuse(
            "has a key that is a float; only string and integer keys cross module "
            "boundaries");
      default:
        return refuse(fmt::format(
            "has a key that is a {}; only string and integer keys cross module boundaries",
            lua_typename(L_, lua_type(L_, -2))));
    }
  }

  std::size_t enter(const std::string& step) {
    const std::size_t mark = path_.size();
    path_ += step;
    return mark;
  }
  void leave(std::size_t mark) { path_.resize(mark); }

  bool refuse(const std::string& problem) {
    if (path_.empty()) {
      error_ = fmt::format("{} {}", what_, problem);
    } else {
      error_ = fmt::format("{}: field '{}' {}", what_, path_, problem);
    }
    return false;
  }

  lua_State* L_;
  std::string_view what_;
  std::string& error_;
  std::string path_;               // "cb", "items[2].name"
  std::vector<const void*> open_;  // the tables being read, outermost first
  std::unordered_map<const void*, std::size_t> references_;  // from count_references
  struct Copy {
    Value value;
    std::size_t values = 0;  // what it counts for in the result
    std::size_t depth = 0;   // levels of tables, itself included
  };
  std::unordered_map<const void*, Copy> copies_;  // the shared tables read so far
  std::size_t values_ = 0;                        // in the result so far
  std::size_t deepest_ = 0;                       // the deepest level of tables reached
};

}  // namespace

void push_value(lua_State* L, const Value& value) {
  push_at_depth(L, value, 0);
}

std::optional<Value> to_value(lua_State* L, int index, std::string_view what, std::string& error) {
  Value out;
  Reader reader(L, what, error);
  if (!reader.read_root(index, out)) return std::nullopt;
  return out;
}

std::optional<Value> args_to_value(lua_State* L, int first, std::string& error) {
  Value args = Value::array();
  const int top = lua_gettop(L);
  for (int i = first; i <= top; ++i) {
    std::optional<Value> v = to_value(L, i, fmt::format("argument {}", i - first + 1), error);
    if (!v) return std::nullopt;
    args.push_back(std::move(*v));
  }
  return args;
}

}  // namespace hotmod::script
