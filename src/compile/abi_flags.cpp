#include "compile/abi_flags.hpp"

#include <fmt/format.h>

#include <array>
#include <optional>
#include <string_view>

#include "hotmod/abi.hpp"

namespace hotmod::compile {
namespace {

constexpr std::string_view kCxx11Macro = "_GLIBCXX_USE_CXX11_ABI";

struct SanitizerName {
  unsigned bit;
  std::string_view option;  // in -fsanitize=
  std::string_view name;    // in messages
};
constexpr std::array<SanitizerName, 2> kSanitizers = {
    {{abi::kAsan, "address", "AddressSanitizer"}, {abi::kTsan, "thread", "ThreadSanitizer"}}};

// What `args` say about the ABI, the last word on each thing winning; each
// with the flag that said it, for messages.
struct Stated {
  std::optional<std::string> standard;   // the -std= flag
  std::optional<std::string> cxx11_abi;  // the -D/-U flag
  int cxx11_abi_value = 1;
  std::optional<std::string> rtti, exceptions;
  bool rtti_on = true, exceptions_on = true;
  unsigned sanitizers_on = 0, sanitizers_off = 0;
  std::array<std::string, kSanitizers.size()> sanitizer_flag;
};

// "gnu++2a" -> "c++20": spellings of one standard compare equal.
std::string canonical_standard(std::string_view s) {
  if (s.substr(0, 3) == "gnu") s.remove_prefix(3);
  if (s.substr(0, 1) == "c") s.remove_prefix(1);
  constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kAliases = {
      {{"++0x", "++11"},
       {"++1y", "++14"},
       {"++1z", "++17"},
       {"++2a", "++20"},
       {"++2b", "++23"},
       {"++2c", "++26"}}};
  for (const auto& [alias, year] : kAliases) {
    if (s == alias) return std::string("c").append(year);
  }
  // append(), not "c" + string: g++ 12 -O2 warns falsely (-Wrestrict) on the latter.
  return std::string("c").append(s);
}

void apply_define(std::string_view flag, std::string_view body, bool undefine, Stated& st) {
  const std::string_view name = body.substr(0, body.find('='));
  if (name != kCxx11Macro) return;
  st.cxx11_abi = std::string(flag);
  // An undefined or valueless macro leaves libstdc++'s default, the new ABI.
  const std::size_t eq = body.find('=');
  st.cxx11_abi_value = undefine || eq == std::string_view::npos || body.substr(eq + 1) != "0";
}

void apply_sanitize(std::string_view flag, std::string_view list, bool on, Stated& st) {
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view item = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    for (std::size_t i = 0; i < kSanitizers.size(); ++i) {
      const auto& s = kSanitizers[i];
      if (item != s.option && !(item == "all" && !on)) continue;
      st.sanitizers_on = on ? st.sanitizers_on | s.bit : st.sanitizers_on & ~s.bit;
      st.sanitizers_off = on ? st.sanitizers_off & ~s.bit : st.sanitizers_off | s.bit;
      st.sanitizer_flag[i] = std::string(flag);
    }
  }
}

Stated read_args(const std::vector<std::string>& args) {
  Stated st;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if (a.substr(0, 5) == "-std=") {
      st.standard = std::string(a);
    } else if ((a == "-D" || a == "-U") && i + 1 < args.size()) {
      apply_define(a[1] == 'D' ? "-D" + args[i + 1] : "-U" + args[i + 1], args[i + 1], a == "-U",
                   st);
      ++i;
    } else if (a.substr(0, 2) == "-D" || a.substr(0, 2) == "-U") {
      apply_define(a, a.substr(2), a[1] == 'U', st);
    } else if (a == "-frtti" || a == "-fno-rtti") {
      st.rtti = std::string(a);
      st.rtti_on = a == "-frtti";
    } else if (a == "-fexceptions" || a == "-fno-exceptions") {
      st.exceptions = std::string(a);
      st.exceptions_on = a == "-fexceptions";
    } else if (a.substr(0, 11) == "-fsanitize=") {
      apply_sanitize(a, a.substr(11), true, st);
    } else if (a.substr(0, 14) == "-fno-sanitize=") {
      apply_sanitize(a, a.substr(14), false, st);
    }
  }
  return st;
}

std::string on_off(bool on) {
  return on ? "on" : "off";
}

}  // namespace

HostAbi host_abi() {
  constexpr abi::Fingerprint f = abi::current();
  HostAbi h;
#if __cplusplus > 202002L
  h.standard = "c++23";
#elif __cplusplus > 201703L
  h.standard = "c++20";
#else
  h.standard = "c++17";
#endif
  h.cxx11_abi = static_cast<int>(f.cxx11_abi);
  h.rtti = f.rtti != 0;
  h.exceptions = f.exceptions != 0;
  h.sanitizers = f.sanitizers;
  return h;
}

std::vector<std::string> abi_mismatches(const std::vector<std::string>& args, const HostAbi& host) {
  const Stated st = read_args(args);
  std::vector<std::string> out;
  if (st.standard &&
      canonical_standard(st.standard->substr(5)) != canonical_standard(host.standard))
    out.push_back(fmt::format("{} (module) vs -std={} (host)", *st.standard, host.standard));
  if (st.cxx11_abi && st.cxx11_abi_value != host.cxx11_abi) {
    out.push_back(
        fmt::format("{} (module) vs {}={} (host)", *st.cxx11_abi, kCxx11Macro, host.cxx11_abi));
  }
  if (st.rtti && st.rtti_on != host.rtti)
    out.push_back(fmt::format("{} (module) vs RTTI {} (host)", *st.rtti, on_off(host.rtti)));
  if (st.exceptions && st.exceptions_on != host.exceptions)
    out.push_back(fmt::format("{} (module) vs exceptions {} (host)", *st.exceptions,
                              on_off(host.exceptions)));
  for (std::size_t i = 0; i < kSanitizers.size(); ++i) {
    const auto& s = kSanitizers[i];
    const bool in_host = (host.sanitizers & s.bit) != 0;
    if (in_host && (st.sanitizers_off & s.bit) != 0) {
      out.push_back(fmt::format("{} (module) vs {} (host)", st.sanitizer_flag[i], s.name));
    } else if (!in_host && (st.sanitizers_on & s.bit) != 0) {
      out.push_back(fmt::format("{} (module) vs no {} (host)", st.sanitizer_flag[i], s.name));
    }
  }
  return out;
}

std::vector<std::string> host_abi_flags(const std::vector<std::string>& args, const HostAbi& host) {
  const Stated st = read_args(args);
  std::vector<std::string> out;
  if (!st.standard) out.push_back("-std=" + host.standard);
  for (const auto& s : kSanitizers) {
    const bool stated = ((st.sanitizers_on | st.sanitizers_off) & s.bit) != 0;
    if ((host.sanitizers & s.bit) != 0 && !stated)
      out.push_back("-fsanitize=" + std::string(s.option));
  }
  if (host.cxx11_abi == 0 && !st.cxx11_abi) out.push_back("-D" + std::string(kCxx11Macro) + "=0");
  if (!host.rtti && !st.rtti) out.push_back("-fno-rtti");
  if (!host.exceptions && !st.exceptions) out.push_back("-fno-exceptions");
  return out;
}

}  // namespace hotmod::compile
