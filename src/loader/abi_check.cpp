#include "loader/abi_check.hpp"

#include <fmt/format.h>
#include <nlohmann/json_fwd.hpp>

#include <cstring>

namespace hotmod::loader {
namespace {

std::string on_off(std::uint32_t v) {
  return v != 0 ? "on" : "off";
}

std::string sanitizers(std::uint32_t bits) {
  if (bits == 0) return "none";
  std::string s;
  if ((bits & abi::kAsan) != 0) s += "address";
  if ((bits & abi::kTsan) != 0) s += s.empty() ? "thread" : ",thread";
  return s;
}

std::string json_version(std::uint32_t v) {
  return fmt::format("{}.{}.{}", v / 10000, v / 100 % 100, v % 100);
}

}  // namespace

std::string abi_differences(const abi::Fingerprint& m, const abi::Fingerprint& h) {
  std::string out;
  auto add = [&](bool differs, const std::string& what, const std::string& mv,
                 const std::string& hv) {
    if (!differs) return;
    if (!out.empty()) out += "; ";
    out += fmt::format("{}: module {}, host {}", what, mv, hv);
  };
  add(m.hotmod_abi != h.hotmod_abi, "hotmod ABI version", std::to_string(m.hotmod_abi),
      std::to_string(h.hotmod_abi));
  add(m.pointer_size != h.pointer_size, "pointer size", fmt::format("{}-bit", m.pointer_size * 8),
      fmt::format("{}-bit", h.pointer_size * 8));
  add(m.stdlib != h.stdlib, "standard library", m.stdlib == 2 ? "libc++" : "libstdc++",
      h.stdlib == 2 ? "libc++" : "libstdc++");
  add(m.cxx11_abi != h.cxx11_abi, "std::string ABI",
      fmt::format("_GLIBCXX_USE_CXX11_ABI={}", m.cxx11_abi),
      fmt::format("_GLIBCXX_USE_CXX11_ABI={}", h.cxx11_abi));
  add(m.rtti != h.rtti, "RTTI", on_off(m.rtti), on_off(h.rtti));
  add(m.exceptions != h.exceptions, "exceptions", on_off(m.exceptions), on_off(h.exceptions));
  add(m.sanitizers != h.sanitizers, "sanitizers", sanitizers(m.sanitizers),
      sanitizers(h.sanitizers));
  add(m.debug_containers != h.debug_containers, "_GLIBCXX_DEBUG", on_off(m.debug_containers),
      on_off(h.debug_containers));
  add(m.json_version != 0 && m.json_version != h.json_version, "nlohmann::json version",
      json_version(m.json_version), json_version(h.json_version));
  if (!out.empty()) {
    out += fmt::format(" (module compiled by {}, host by {})",
                       std::string(m.compiler, strnlen(m.compiler, sizeof m.compiler)),
                       std::string(h.compiler, strnlen(h.compiler, sizeof h.compiler)));
  }
  return out;
}

abi::Fingerprint host_fingerprint() {
  abi::Fingerprint f = abi::current();
  f.json_version = NLOHMANN_JSON_VERSION_MAJOR * 10000 + NLOHMANN_JSON_VERSION_MINOR * 100 +
                   NLOHMANN_JSON_VERSION_PATCH;
  return f;
}

}  // namespace hotmod::loader
