#include "loader/value_ops.hpp"

#include "hotmod/value.hpp"

namespace hotmod::loader {
namespace {

using detail::ValueKind;

ValueKind kind(const Value& v) {
  switch (v.type()) {
    case Value::value_t::null:
      return ValueKind::null;
    case Value::value_t::boolean:
      return ValueKind::boolean;
    case Value::value_t::number_integer:
      return ValueKind::integer;
    case Value::value_t::number_unsigned:
      return ValueKind::unsigned_integer;
    case Value::value_t::number_float:
      return ValueKind::floating;
    case Value::value_t::string:
      return ValueKind::string;
    case Value::value_t::array:
      return ValueKind::array;
    case Value::value_t::object:
      return ValueKind::object;
    default:
      return ValueKind::other;
  }
}

std::string describe(const Value& v) {
  std::string text = v.dump();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return std::string(v.type_name()) + " " + text;
}

bool each_member(const Value& object, bool (*fn)(void*, const std::string&, const Value&),
                 void* context) {
  for (const auto& [key, member] : object.items())
    if (!fn(context, key, member)) return false;
  return true;
}

void set_array(Value& v, std::size_t reserve) {
  v = Value::array();
  v.get_ref<Value::array_t&>().reserve(reserve);
}

Value& append(Value& array) {
  array.push_back(nullptr);
  return array.back();
}

void mismatch(detail::CallProblem& problem, const Value& v, const char* suffix) {
  problem.why = "got " + describe(v) + suffix;
}

void nest_index(detail::CallProblem& problem, const Value& outer, std::size_t index) {
  problem.why =
      "got " + describe(outer) + " (at [" + std::to_string(index) + "]: " + problem.why + ")";
}

void nest_key(detail::CallProblem& problem, const Value& outer, std::string_view key) {
  problem.why =
      "got " + describe(outer) + " (at \"" + std::string(key) + "\": " + problem.why + ")";
}

constexpr detail::ValueOps kOps = {
    .kind = &kind,
    .get_bool = [](const Value& v) { return v.get<bool>(); },
    .get_int = [](const Value& v) { return v.get<std::int64_t>(); },
    .get_uint = [](const Value& v) { return v.get<std::uint64_t>(); },
    .get_double = [](const Value& v) { return v.get<double>(); },
    .get_string = [](const Value& v) -> const std::string& {
      return v.get_ref<const std::string&>();
    },
    .size = [](const Value& v) { return v.size(); },
    .element = [](const Value& array, std::size_t i) -> const Value& { return array[i]; },
    .each_member = &each_member,
    .describe = &describe,
    .set_null = [](Value& v) { v = nullptr; },
    .set_bool = [](Value& v, bool b) { v = b; },
    .set_int = [](Value& v, std::int64_t i) { v = i; },
    .set_uint = [](Value& v, std::uint64_t u) { v = u; },
    .set_double = [](Value& v, double d) { v = d; },
    .set_string = [](Value& v, std::string_view s) { v = std::string(s); },
    .set_array = &set_array,
    .append = &append,
    .set_object = [](Value& v) { v = Value::object(); },
    .member = [](Value& object, std::string_view key) -> Value& {
      return object[std::string(key)];
    },
    .mismatch = &mismatch,
    .nest_index = &nest_index,
    .nest_key = &nest_key,
    .threw = [](detail::CallProblem& problem, const char* what) { problem.why = what; },
};

}  // namespace

const detail::ValueOps& value_ops() {
  return kOps;
}

}  // namespace hotmod::loader
