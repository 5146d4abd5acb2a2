// "Did you mean ...?" for names the user mistyped.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hotmod::text {

// The candidate closest to `name` by edit distance, or "" when none is close
// enough to be a plausible typo (distance > max(2, a third of its length)).
std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace hotmod::text
