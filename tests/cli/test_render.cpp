// How the command prints: tables in both styles, the reload line, units.
#include <gtest/gtest.h>

#include "cli/reload_line.hpp"
#include "cli/render_table.hpp"
#include "cli/units.hpp"

namespace hotmod_test {
namespace {

using namespace hotmod::cli;

Table sample() {
  Table t({"Name", "Size"}, {Align::left, Align::right});
  t.add({"counter", "12 KiB"});
  t.separator();
  t.add({"ü", "1 B"});
  return t;
}

TEST(Table, PlainIsAlignedColumnsWithoutRules) {
  EXPECT_EQ(sample().render(TableStyle::plain),
            "Name       Size\n"
            "counter  12 KiB\n"
            "ü           1 B\n");
}

TEST(Table, BoxDrawsRulesAndGroupSeparators) {
  EXPECT_EQ(sample().render(TableStyle::box),
            "┌─────────┬────────┐\n"
            "│ Name    │   Size │\n"
            "├─────────┼────────┤\n"
            "│ counter │ 12 KiB │\n"
            "├─────────┼────────┤\n"
            "│ ü       │    1 B │\n"
            "└─────────┴────────┘\n");
}

TEST(Table, WidthsCountCharactersNotBytesNorColours) {
  EXPECT_EQ(display_width("⚠ SLOW"), 6u);
  EXPECT_EQ(display_width("\033[32m[OK]\033[0m"), 4u);
}

hotmod::ReloadStats stats(bool success) {
  hotmod::ReloadStats s;
  s.module = "net";
  s.success = success;
  s.duration = std::chrono::microseconds(4100);
  return s;
}

TEST(ReloadLine, SaysLoadedOrReloadedWithKindAndTime) {
  hotmod::ReloadStats s = stats(true);
  EXPECT_EQ(reload_line(s, hotmod::ModuleKind::library, ".errors", false),
            "[OK] Module 'net' reloaded (library, 4.1 ms)");
  s.first_load = true;
  EXPECT_EQ(reload_line(s, hotmod::ModuleKind::source, ".errors", false),
            "[OK] Module 'net' loaded (source, 4.1 ms)");
}

TEST(ReloadLine, AFailureSaysWhatRunsAndWhereToLook) {
  hotmod::ReloadStats s = stats(false);
  s.failure = hotmod::Failure::build_failed;
  s.version = "3";
  s.messages = {{"net.cpp", 3, 1, "error", "x"},
                {"net.cpp", 4, 1, "note", "y"},
                {"net.cpp", 9, 2, "error", "z"}};
  EXPECT_EQ(reload_line(s, hotmod::ModuleKind::source, "hotmod info", false),
            "[FAILED] Module 'net' kept at version 3: build error (2 errors), see hotmod info net");
  s.version.clear();
  s.failure = hotmod::Failure::on_load_threw;
  EXPECT_EQ(reload_line(s, hotmod::ModuleKind::library, ".errors", false),
            "[FAILED] Module 'net' not loaded: on_load threw, see .errors net");
}

TEST(ReloadLine, ColourOnlyWhenAsked) {
  EXPECT_EQ(reload_line(stats(true), hotmod::ModuleKind::library, ".errors", true)
                .rfind("\033[32m[OK]\033[0m ", 0),
            0u);
}

TEST(Units, TimesAndSizes) {
  EXPECT_EQ(format_ms(4.14), "4.1 ms");
  EXPECT_EQ(format_ms(12345.0), "12.3 s");
  EXPECT_EQ(format_bytes(640), "640 B");
  EXPECT_EQ(format_bytes(1536), "1.5 KiB");
  EXPECT_EQ(format_bytes(3u << 20), "3.0 MiB");
}

}  // namespace
}  // namespace hotmod_test
