// The host's operations on Values that every module image is given (see
// hotmod/detail/value_ops.hpp): compiled here once, so a module's exported
// functions convert their arguments and results without instantiating
// nlohmann::json in every module.
#pragma once

#include "hotmod/detail/value_ops.hpp"

namespace hotmod::loader {

const detail::ValueOps& value_ops();

}  // namespace hotmod::loader
