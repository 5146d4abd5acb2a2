// abi_mismatches and host_abi_flags, one row per case.
#include "compile/abi_flags.hpp"

#include <gtest/gtest.h>

#include "hotmod/abi.hpp"

namespace hotmod::compile {
namespace {

using Args = std::vector<std::string>;

HostAbi plain_host() {
  return HostAbi{"c++20", 1, true, true, 0};
}
HostAbi asan_host() {
  HostAbi h = plain_host();
  h.sanitizers = abi::kAsan;
  return h;
}
HostAbi tsan_host() {
  HostAbi h = plain_host();
  h.sanitizers = abi::kTsan;
  return h;
}
HostAbi lean_host() {  // old string ABI, no RTTI, no exceptions, C++17
  return HostAbi{"c++17", 0, false, false, 0};
}

struct Row {
  const char* name;
  Args args;
  HostAbi host;
  Args mismatches;
  Args added;
};

void PrintTo(const Row& row, std::ostream* os) {
  *os << row.name;
}

class AbiFlags : public ::testing::TestWithParam<Row> {};

TEST_P(AbiFlags, MismatchesAndAddedFlags) {
  const Row& row = GetParam();
  EXPECT_EQ(abi_mismatches(row.args, row.host), row.mismatches);
  EXPECT_EQ(host_abi_flags(row.args, row.host), row.added);
}

const Row kRows[] = {
    {"nothing_stated", {"-O2", "-Iinc"}, plain_host(), {}, {"-std=c++20"}},
    {"same_standard", {"-std=c++20"}, plain_host(), {}, {}},
    {"gnu_spelling_is_the_same_standard", {"-std=gnu++20"}, plain_host(), {}, {}},
    {"old_alias", {"-std=gnu++2a"}, plain_host(), {}, {}},
    {"other_standard",
     {"-std=c++17"},
     plain_host(),
     {"-std=c++17 (module) vs -std=c++20 (host)"},
     {}},
    {"last_standard_wins", {"-std=c++17", "-std=c++20"}, plain_host(), {}, {}},
    {"gnu_other_standard_named_as_written",
     {"-std=gnu++23"},
     plain_host(),
     {"-std=gnu++23 (module) vs -std=c++20 (host)"},
     {}},
    {"host_in_cxx17",
     {"-std=c++1z"},
     lean_host(),
     {},
     {"-D_GLIBCXX_USE_CXX11_ABI=0", "-fno-rtti", "-fno-exceptions"}},
    {"old_string_abi",
     {"-D_GLIBCXX_USE_CXX11_ABI=0"},
     plain_host(),
     {"-D_GLIBCXX_USE_CXX11_ABI=0 (module) vs _GLIBCXX_USE_CXX11_ABI=1 (host)"},
     {"-std=c++20"}},
    {"old_string_abi_separate_define",
     {"-std=c++20", "-D", "_GLIBCXX_USE_CXX11_ABI=0"},
     plain_host(),
     {"-D_GLIBCXX_USE_CXX11_ABI=0 (module) vs _GLIBCXX_USE_CXX11_ABI=1 (host)"},
     {}},
    {"new_string_abi_stated", {"-std=c++20", "-D_GLIBCXX_USE_CXX11_ABI=1"}, plain_host(), {}, {}},
    {"valueless_define_is_new_abi",
     {"-std=c++17", "-D_GLIBCXX_USE_CXX11_ABI"},
     lean_host(),
     {"-D_GLIBCXX_USE_CXX11_ABI (module) vs _GLIBCXX_USE_CXX11_ABI=0 (host)"},
     {"-fno-rtti", "-fno-exceptions"}},
    {"undefine_is_new_abi",
     {"-std=c++17", "-U_GLIBCXX_USE_CXX11_ABI", "-fno-rtti", "-fno-exceptions"},
     lean_host(),
     {"-U_GLIBCXX_USE_CXX11_ABI (module) vs _GLIBCXX_USE_CXX11_ABI=0 (host)"},
     {}},
    {"last_define_wins",
     {"-std=c++20", "-D_GLIBCXX_USE_CXX11_ABI=0", "-D_GLIBCXX_USE_CXX11_ABI=1"},
     plain_host(),
     {},
     {}},
    {"other_macros_ignored", {"-std=c++20", "-D_GLIBCXX_USE_CXX11_ABIX=0"}, plain_host(), {}, {}},
    {"no_rtti",
     {"-std=c++20", "-fno-rtti"},
     plain_host(),
     {"-fno-rtti (module) vs RTTI on (host)"},
     {}},
    {"last_rtti_wins", {"-std=c++20", "-fno-rtti", "-frtti"}, plain_host(), {}, {}},
    {"rtti_on_host_without",
     {"-std=c++17", "-frtti", "-D_GLIBCXX_USE_CXX11_ABI=0"},
     lean_host(),
     {"-frtti (module) vs RTTI off (host)"},
     {"-fno-exceptions"}},
    {"no_exceptions",
     {"-std=c++20", "-fno-exceptions"},
     plain_host(),
     {"-fno-exceptions (module) vs exceptions on (host)"},
     {}},
    {"exceptions_on_host_without",
     {"-std=c++17", "-fno-exceptions", "-fexceptions", "-fno-rtti", "-D_GLIBCXX_USE_CXX11_ABI=0"},
     lean_host(),
     {"-fexceptions (module) vs exceptions off (host)"},
     {}},
    {"asan_host_adds_it", {"-std=c++20"}, asan_host(), {}, {"-fsanitize=address"}},
    {"asan_host_module_states_it", {"-std=c++20", "-fsanitize=address"}, asan_host(), {}, {}},
    {"asan_in_a_list", {"-std=c++20", "-fsanitize=address,undefined"}, asan_host(), {}, {}},
    {"asan_host_module_turns_it_off",
     {"-std=c++20", "-fno-sanitize=address"},
     asan_host(),
     {"-fno-sanitize=address (module) vs AddressSanitizer (host)"},
     {}},
    {"asan_off_then_on",
     {"-std=c++20", "-fno-sanitize=all", "-fsanitize=address"},
     asan_host(),
     {},
     {}},
    {"asan_on_then_all_off",
     {"-std=c++20", "-fsanitize=address", "-fno-sanitize=all"},
     asan_host(),
     {"-fno-sanitize=all (module) vs AddressSanitizer (host)"},
     {}},
    {"ubsan_off_is_fine",
     {"-std=c++20", "-fno-sanitize=undefined"},
     asan_host(),
     {},
     {"-fsanitize=address"}},
    {"asan_module_plain_host",
     {"-std=c++20", "-fsanitize=address,undefined"},
     plain_host(),
     {"-fsanitize=address,undefined (module) vs no AddressSanitizer (host)"},
     {}},
    {"tsan_module_plain_host",
     {"-std=c++20", "-fsanitize=thread"},
     plain_host(),
     {"-fsanitize=thread (module) vs no ThreadSanitizer (host)"},
     {}},
    {"tsan_host_adds_it", {"-O1"}, tsan_host(), {}, {"-std=c++20", "-fsanitize=thread"}},
    {"asan_module_tsan_host",
     {"-std=c++20", "-fsanitize=address"},
     tsan_host(),
     {"-fsanitize=address (module) vs no AddressSanitizer (host)"},
     {"-fsanitize=thread"}},
    {"everything_wrong",
     {"-std=c++11", "-D_GLIBCXX_USE_CXX11_ABI=0", "-fno-rtti", "-fno-exceptions",
      "-fsanitize=thread"},
     asan_host(),
     {"-std=c++11 (module) vs -std=c++20 (host)",
      "-D_GLIBCXX_USE_CXX11_ABI=0 (module) vs _GLIBCXX_USE_CXX11_ABI=1 (host)",
      "-fno-rtti (module) vs RTTI on (host)", "-fno-exceptions (module) vs exceptions on (host)",
      "-fsanitize=thread (module) vs no ThreadSanitizer (host)"},
     {"-fsanitize=address"}},
};

INSTANTIATE_TEST_SUITE_P(Table, AbiFlags, ::testing::ValuesIn(kRows),
                         [](const auto& p) { return std::string(p.param.name); });

TEST(HostAbi, DescribesThisProcess) {
  const HostAbi h = host_abi();
  constexpr abi::Fingerprint f = abi::current();
  EXPECT_EQ(h.cxx11_abi, static_cast<int>(f.cxx11_abi));
  EXPECT_EQ(h.rtti, f.rtti != 0);
  EXPECT_EQ(h.exceptions, f.exceptions != 0);
  EXPECT_EQ(h.sanitizers, f.sanitizers);
  // hotmod is built as C++20 or later (target_compile_features cxx_std_20).
  EXPECT_TRUE(h.standard == "c++20" || h.standard == "c++23") << h.standard;
}

TEST(HostAbi, ItsOwnFlagsAgreeWithIt) {
  const HostAbi h = host_abi();
  const Args added = host_abi_flags({}, h);
  EXPECT_TRUE(abi_mismatches(added, h).empty());
  EXPECT_TRUE(host_abi_flags(added, h).empty());
}

}  // namespace
}  // namespace hotmod::compile
