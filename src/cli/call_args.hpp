// The command line of `hotmod call MODULE.FUNCTION [ARG...]`: where the
// module name ends, and each argument read as a JSON value.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hotmod/value.hpp"

namespace hotmod::cli {

struct CallTarget {
  std::string module;
  std::string function;
};

// The module is everything before the last '.': "algorithms.sorting.quick"
// calls `quick` in `algorithms.sorting`. An error when there is no '.', or
// nothing before or after it.
Result<CallTarget> split_call_target(std::string_view text);

// The arguments as a JSON array. A word that is not JSON (a bare `hello`)
// is an error naming the argument and showing it quoted: '"hello"'.
Result<Value> parse_call_args(const std::vector<std::string>& args);

}  // namespace hotmod::cli
