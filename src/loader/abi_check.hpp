// Comparing a module's ABI fingerprint with the host's.
#pragma once

#include <string>

#include "hotmod/abi.hpp"

namespace hotmod::loader {

// Empty when the two agree; otherwise one clause per differing field naming
// both sides, e.g. "std::string ABI: module _GLIBCXX_USE_CXX11_ABI=0, host 1".
std::string abi_differences(const abi::Fingerprint& module, const abi::Fingerprint& host);

// This process's fingerprint, with the nlohmann::json version it was built
// with (abi::current() leaves it 0).
abi::Fingerprint host_fingerprint();

}  // namespace hotmod::loader
