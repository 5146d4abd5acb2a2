// The compiler flags that change the binary interface of what a source
// module exchanges with its host (std::string's layout, type_info,
// unwinding, sanitizer runtimes) must agree with the host's. This checks a
// module's flags against the host and supplies the ones it leaves out.
#pragma once

#include <string>
#include <vector>

namespace hotmod::compile {

struct HostAbi {
  std::string standard = "c++20";  // "c++17", "c++20", "c++23"; gnu++NN counts as c++NN
  int cxx11_abi = 1;               // _GLIBCXX_USE_CXX11_ABI
  bool rtti = true;
  bool exceptions = true;
  unsigned sanitizers = 0;  // hotmod::abi::Sanitizer bits (kAsan, kTsan)
};

// This process's: hotmod::abi::current() and the standard the hotmod
// library was compiled with.
HostAbi host_abi();

// One line per flag of `args` that disagrees with `host`, naming both
// sides, e.g. "-std=c++17 (module) vs -std=c++20 (host)" or
// "-fno-rtti (module) vs RTTI on (host)". Only what `args` state is
// compared, the last of contradicting flags winning ("-fno-rtti -frtti" is
// RTTI on). A sanitizer the host runs with is a mismatch only when `args`
// turn it off (-fno-sanitize=...): host_abi_flags adds it otherwise. Empty
// when the module can be loaded into the host.
std::vector<std::string> abi_mismatches(const std::vector<std::string>& args, const HostAbi& host);

// The flags to append to `args` so the module matches `host` where `args`
// say nothing: -std=<host's>, -fsanitize=address / thread for the host's
// sanitizers, -D_GLIBCXX_USE_CXX11_ABI=0 for an old-ABI host, -fno-rtti /
// -fno-exceptions for a host without them.
std::vector<std::string> host_abi_flags(const std::vector<std::string>& args, const HostAbi& host);

}  // namespace hotmod::compile
