#include "cli/call_args.hpp"

#include <fmt/format.h>

namespace hotmod::cli {

Result<CallTarget> split_call_target(std::string_view text) {
  const std::size_t dot = text.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == text.size())
    return Error{Stage::usage, Failure::bad_arguments,
                 fmt::format("'{}' does not name a function; write MODULE.FUNCTION, e.g. "
                             "`hotmod call math.add 2 3`",
                             text)};
  return CallTarget{std::string(text.substr(0, dot)), std::string(text.substr(dot + 1))};
}

Result<Value> parse_call_args(const std::vector<std::string>& args) {
  Value list = Value::array();
  for (std::size_t i = 0; i < args.size(); ++i) {
    Value v = Value::parse(args[i], nullptr, /*allow_exceptions=*/false);
    if (v.is_discarded())
      return Error{Stage::usage, Failure::bad_arguments,
                   fmt::format("argument {} ({}) is not a JSON value; to pass it as text, "
                               "quote it: '\"{}\"'",
                               i + 1, args[i], args[i])};
    list.push_back(std::move(v));
  }
  return list;
}

}  // namespace hotmod::cli
