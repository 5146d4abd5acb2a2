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

bool each_member(const detail::AnyValue& object,
                 bool (*fn)(void*, const std::string&, const detail::AnyValue&), void* context) {
  for (const auto& [key, member] : as_value(object).items())
    if (!fn(context, key, as_any(member))) return false;
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
    .kind = [](const detail::AnyValue& v) { return kind(as_value(v)); },
    .get_bool = [](const detail::AnyValue& v) { return as_value(v).get<bool>(); },
    .get_int = [](const detail::AnyValue& v) { return as_value(v).get<std::int64_t>(); },
    .get_uint = [](const detail::AnyValue& v) { return as_value(v).get<std::uint64_t>(); },
    .get_double = [](const detail::AnyValue& v) { return as_value(v).get<double>(); },
    .get_string = [](const detail::AnyValue& v) -> const std::string& {
      return as_value(v).get_ref<const std::string&>();
    },
    .size = [](const detail::AnyValue& v) { return as_value(v).size(); },
    .element = [](const detail::AnyValue& array, std::size_t i) -> const detail::AnyValue& {
      return as_any(as_value(array)[i]);
    },
    .each_member = &each_member,
    .describe = [](const detail::AnyValue& v) { return describe(as_value(v)); },
    .set_null = [](detail::AnyValue& v) { as_value(v) = nullptr; },
    .set_bool = [](detail::AnyValue& v, bool b) { as_value(v) = b; },
    .set_int = [](detail::AnyValue& v, std::int64_t i) { as_value(v) = i; },
    .set_uint = [](detail::AnyValue& v, std::uint64_t u) { as_value(v) = u; },
    .set_double = [](detail::AnyValue& v, double d) { as_value(v) = d; },
    .set_string = [](detail::AnyValue& v, std::string_view s) { as_value(v) = std::string(s); },
    .set_array = [](detail::AnyValue& v, std::size_t reserve) { set_array(as_value(v), reserve); },
    .append = [](detail::AnyValue& array) -> detail::AnyValue& {
      return as_any(append(as_value(array)));
    },
    .set_object = [](detail::AnyValue& v) { as_value(v) = Value::object(); },
    .member = [](detail::AnyValue& object, std::string_view key) -> detail::AnyValue& {
      return as_any(as_value(object)[std::string(key)]);
    },
    .mismatch = [](detail::CallProblem& problem, const detail::AnyValue& v,
                   const char* suffix) { mismatch(problem, as_value(v), suffix); },
    .nest_index = [](detail::CallProblem& problem, const detail::AnyValue& outer,
                     std::size_t index) { nest_index(problem, as_value(outer), index); },
    .nest_key = [](detail::CallProblem& problem, const detail::AnyValue& outer,
                   std::string_view key) { nest_key(problem, as_value(outer), key); },
    .threw = [](detail::CallProblem& problem, const char* what) { problem.why = what; },
};

}  // namespace

const detail::ValueOps& value_ops() {
  return kOps;
}

}  // namespace hotmod::loader
