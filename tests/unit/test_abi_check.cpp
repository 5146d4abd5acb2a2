// loader/abi_check: which fingerprint fields are compared, and how each
// difference is worded (both sides named, compilers added once at the end).
#include "loader/abi_check.hpp"

#include <algorithm>
#include <cstring>
#include <ostream>
#include <string>

#include <gtest/gtest.h>

namespace hotmod::loader {
namespace {

void set_compiler(abi::Fingerprint& f, const char* name) {
  std::memset(f.compiler, 0, sizeof f.compiler);
  std::memcpy(f.compiler, name, std::min(std::strlen(name), sizeof f.compiler - 1));
}

// A host fingerprint with every field spelled out, so the wording is fixed.
abi::Fingerprint host() {
  abi::Fingerprint f{};
  f.hotmod_abi = 1;
  f.pointer_size = 8;
  f.stdlib = 1;
  f.cxx11_abi = 1;
  f.rtti = 1;
  f.exceptions = 1;
  f.sanitizers = abi::kNoSanitizer;
  f.debug_containers = 0;
  f.json_version = 31102;
  set_compiler(f, "g++ 12.2.0");
  return f;
}

abi::Fingerprint module_like_host() {
  abi::Fingerprint f = host();
  set_compiler(f, "clang 14.0.6");
  return f;
}

const std::string kCompilers = " (module compiled by clang 14.0.6, host by g++ 12.2.0)";

TEST(AbiCheck, IdenticalFingerprintsAgree) {
  EXPECT_EQ(abi_differences(host(), host()), "");
  EXPECT_EQ(abi_differences(abi::current(), abi::current()), "");
}

TEST(AbiCheck, CompilerIsInformationalOnly) {
  EXPECT_EQ(abi_differences(module_like_host(), host()), "");
}

struct FieldCase {
  const char* name;
  void (*change)(abi::Fingerprint&);
  const char* clause;
};

void PrintTo(const FieldCase& c, std::ostream* os) {
  *os << c.name;
}

class AbiCheckField : public ::testing::TestWithParam<FieldCase> {};

TEST_P(AbiCheckField, SingleDifferenceNamesBothSides) {
  abi::Fingerprint m = module_like_host();
  GetParam().change(m);
  EXPECT_EQ(abi_differences(m, host()), GetParam().clause + kCompilers);
}

INSTANTIATE_TEST_SUITE_P(
    Fields, AbiCheckField,
    ::testing::Values(
        FieldCase{"hotmod_abi", [](abi::Fingerprint& f) { f.hotmod_abi = 2; },
                  "hotmod ABI version: module 2, host 1"},
        FieldCase{"pointer_size", [](abi::Fingerprint& f) { f.pointer_size = 4; },
                  "pointer size: module 32-bit, host 64-bit"},
        FieldCase{"stdlib", [](abi::Fingerprint& f) { f.stdlib = 2; },
                  "standard library: module libc++, host libstdc++"},
        FieldCase{
            "cxx11_abi", [](abi::Fingerprint& f) { f.cxx11_abi = 0; },
            "std::string ABI: module _GLIBCXX_USE_CXX11_ABI=0, host _GLIBCXX_USE_CXX11_ABI=1"},
        FieldCase{"rtti", [](abi::Fingerprint& f) { f.rtti = 0; }, "RTTI: module off, host on"},
        FieldCase{"exceptions", [](abi::Fingerprint& f) { f.exceptions = 0; },
                  "exceptions: module off, host on"},
        FieldCase{"asan", [](abi::Fingerprint& f) { f.sanitizers = abi::kAsan; },
                  "sanitizers: module address, host none"},
        FieldCase{"tsan", [](abi::Fingerprint& f) { f.sanitizers = abi::kTsan; },
                  "sanitizers: module thread, host none"},
        FieldCase{"both_sanitizers",
                  [](abi::Fingerprint& f) { f.sanitizers = abi::kAsan | abi::kTsan; },
                  "sanitizers: module address,thread, host none"},
        FieldCase{"debug_containers", [](abi::Fingerprint& f) { f.debug_containers = 1; },
                  "_GLIBCXX_DEBUG: module on, host off"},
        FieldCase{"json_version", [](abi::Fingerprint& f) { f.json_version = 30905; },
                  "nlohmann::json version: module 3.9.5, host 3.11.2"}),
    [](const ::testing::TestParamInfo<FieldCase>& p) { return std::string(p.param.name); });

TEST(AbiCheck, SeveralDifferencesAreAllListedInFieldOrder) {
  abi::Fingerprint m = module_like_host();
  m.cxx11_abi = 0;
  m.hotmod_abi = 0;
  EXPECT_EQ(abi_differences(m, host()),
            "hotmod ABI version: module 0, host 1; std::string ABI: module "
            "_GLIBCXX_USE_CXX11_ABI=0, host _GLIBCXX_USE_CXX11_ABI=1" +
                kCompilers);
}

TEST(AbiCheck, CompilerNameFillingTheWholeFieldIsNotOverread) {
  abi::Fingerprint m = module_like_host();
  std::memset(m.compiler, 'x', sizeof m.compiler);  // no terminating NUL
  m.rtti = 0;
  EXPECT_EQ(abi_differences(m, host()), "RTTI: module off, host on (module compiled by " +
                                            std::string(sizeof m.compiler, 'x') +
                                            ", host by g++ 12.2.0)");
}

}  // namespace
}  // namespace hotmod::loader
