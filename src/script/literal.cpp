#include "script/literal.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <tuple>

#include <lua.hpp>

#include "script/console.hpp"
#include "script/lua_guard.hpp"

namespace hotmod::script {
namespace {

// Past this depth a table is written {...}.
constexpr std::size_t kMaxWriteDepth = 32;

// One non-sequence entry of a table, sortable: numbers, strings, the rest.
struct Entry {
  int rank = 0;
  double number = 0;
  std::string text;  // the string key, or the key's written form
  std::string key;   // as written before " = "
  std::string value;
};

// "[" + key + "]", appended rather than concatenated: g++ 12's -Wrestrict
// misfires on `"literal" + std::string` when optimising.
std::string bracketed(const std::string& key) {
  std::string out;
  out.reserve(key.size() + 2);
  return out.append("[").append(key).append("]");
}

std::string string_key(std::string_view key) {
  return is_identifier(key) ? std::string(key) : bracketed(quote_string(key));
}

std::string join_table(const std::vector<std::string>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += items[i];
  }
  return out + "}";
}

// Writes values on a Lua stack with API functions that cannot raise.
class StackWriter {
 public:
  explicit StackWriter(lua_State* L) : L_(L) {}

  std::string write(int index, bool top) {
    index = lua_absindex(L_, index);
    switch (lua_type(L_, index)) {
      case LUA_TNIL:
        return "nil";
      case LUA_TBOOLEAN:
        return lua_toboolean(L_, index) ? "true" : "false";
      case LUA_TNUMBER:
        return lua_isinteger(L_, index) ? format_integer(lua_tointeger(L_, index))
                                        : format_float(lua_tonumber(L_, index));
      case LUA_TSTRING: {
        std::size_t len = 0;
        const char* s = lua_tolstring(L_, index, &len);
        return top ? std::string(s, len) : quote_string(std::string_view(s, len));
      }
      case LUA_TTABLE:
        return write_table(index);
      default:
        return opaque(index);
    }
  }

 private:
  std::string write_table(int t) {
    const void* self = lua_topointer(L_, t);
    if (std::find(open_.begin(), open_.end(), self) != open_.end()) return "<cycle>";
    if (std::string name = metatable_name(t); !name.empty()) return "<" + name + ">";
    if (open_.size() >= kMaxWriteDepth || !lua_checkstack(L_, 4)) return "{...}";
    open_.push_back(self);
    std::vector<std::string> items;
    lua_Integer n = 0;
    for (;;) {
      lua_rawgeti(L_, t, n + 1);
      if (lua_isnil(L_, -1)) break;
      items.push_back(write(-1, false));
      lua_pop(L_, 1);
      ++n;
    }
    lua_pop(L_, 1);
    std::vector<Entry> entries = keyed_entries(t, n);
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
      return std::tie(a.rank, a.number, a.text) < std::tie(b.rank, b.number, b.text);
    });
    for (Entry& e : entries) items.push_back(e.key + " = " + e.value);
    open_.pop_back();
    return join_table(items);
  }

  // Every entry but the sequence 1..n.
  std::vector<Entry> keyed_entries(int t, lua_Integer n) {
    std::vector<Entry> entries;
    lua_pushnil(L_);
    while (lua_next(L_, t) != 0) {
      if (lua_isinteger(L_, -2) && lua_tointeger(L_, -2) >= 1 && lua_tointeger(L_, -2) <= n) {
        lua_pop(L_, 1);
        continue;
      }
      Entry e;
      switch (lua_type(L_, -2)) {
        case LUA_TNUMBER:
          e.number = lua_tonumber(L_, -2);
          e.key = bracketed(write(-2, false));
          break;
        case LUA_TSTRING: {
          std::size_t len = 0;
          const char* s = lua_tolstring(L_, -2, &len);
          e.rank = 1;
          e.text.assign(s, len);
          e.key = string_key(e.text);
          break;
        }
        default:
          e.rank = lua_type(L_, -2) == LUA_TBOOLEAN ? 2 : 3;
          e.key = bracketed(write(-2, false));
          e.text = e.key;
          break;
      }
      e.value = write(-1, false);
      entries.push_back(std::move(e));
      lua_pop(L_, 1);
    }
    return entries;
  }

  // The __name of the value's metatable, or "".
  std::string metatable_name(int index) {
    if (!lua_getmetatable(L_, index)) return "";
    std::string name;
    if (find_field(L_, -1, "__name")) {
      if (lua_type(L_, -1) == LUA_TSTRING) name = lua_tostring(L_, -1);
      lua_pop(L_, 1);
    }
    lua_pop(L_, 1);
    return name;
  }

  // "function: 0x5581...", as Lua's tostring writes what has no literal.
  std::string opaque(int index) {
    std::string kind = metatable_name(index);
    if (kind.empty()) kind = lua_typename(L_, lua_type(L_, index));
    char buf[64];
    std::snprintf(buf, sizeof buf, ": %p", lua_topointer(L_, index));
    return kind + buf;
  }

  lua_State* L_;
  std::vector<const void*> open_;
};

std::string write_value(const Value& value, bool top) {
  switch (value.type()) {
    case Value::value_t::null:
    case Value::value_t::discarded:
      return "nil";
    case Value::value_t::boolean:
      return value.get<bool>() ? "true" : "false";
    case Value::value_t::number_integer:
      return format_integer(value.get<std::int64_t>());
    case Value::value_t::number_unsigned:
      return std::to_string(value.get<std::uint64_t>());
    case Value::value_t::number_float:
      return format_float(value.get<double>());
    case Value::value_t::string:
      return top ? value.get<std::string>() : quote_string(value.get_ref<const std::string&>());
    case Value::value_t::binary: {
      const auto& b = value.get_binary();
      const std::string bytes(b.begin(), b.end());
      return top ? bytes : quote_string(bytes);
    }
    case Value::value_t::array: {
      std::vector<std::string> items;
      for (const Value& e : value) items.push_back(write_value(e, false));
      return join_table(items);
    }
    case Value::value_t::object: {
      std::vector<std::string> items;
      for (const auto& [key, e] : value.get_ref<const Value::object_t&>()) {
        items.push_back(string_key(key) + " = " + write_value(e, false));
      }
      return join_table(items);
    }
  }
  return "nil";
}

}  // namespace

std::string format_integer(long long value) {
  return std::to_string(value);
}

std::string format_float(double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.14g", value);
  std::string out = buf;
  if (out.find_first_not_of("-0123456789") == std::string::npos) out += ".0";
  return out;
}

std::string quote_string(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (byte < 0x20 || byte == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\%03u", static_cast<unsigned>(byte));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

const std::vector<std::string_view>& lua_keywords() {
  static const std::vector<std::string_view> keywords = {
      "and",      "break",  "do",   "else", "elseif", "end",  "false", "for",
      "function", "goto",   "if",   "in",   "local",  "nil",  "not",   "or",
      "repeat",   "return", "then", "true", "until",  "while"};
  return keywords;
}

bool is_identifier(std::string_view text) {
  if (text.empty() || (text[0] >= '0' && text[0] <= '9')) return false;
  for (char c : text) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  const auto& k = lua_keywords();
  return !std::binary_search(k.begin(), k.end(), text);
}

std::string format_lua_value(lua_State* L, int index) {
  return StackWriter(L).write(index, true);
}

std::string format_value(const Value& value) {
  return write_value(value, true);
}

}  // namespace hotmod::script
