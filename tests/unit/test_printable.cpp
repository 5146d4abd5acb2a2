// text/printable: control characters in names become escape sequences;
// everything else, UTF-8 included, passes through.
#include "text/printable.hpp"

#include <gtest/gtest.h>

namespace hotmod::text {
namespace {

TEST(Printable, ControlCharactersAreEscaped) {
  EXPECT_EQ(printable("plain name.so"), "plain name.so");
  EXPECT_EQ(printable("two\nlines"), "two\\nlines");
  EXPECT_EQ(printable("tab\there\r"), "tab\\there\\r");
  EXPECT_EQ(printable("red\x1b[31m"), "red\\x1b[31m");
  EXPECT_EQ(printable(std::string("nul\0x", 5)), "nul\\x00x");
  EXPECT_EQ(printable("del\x7f"), "del\\x7f");
  EXPECT_EQ(printable("csi\xc2\x9b"
                      "2J"),
            "csi\\u009b2J")
      << "a C1 control in UTF-8";
}

TEST(Printable, OtherTextIsLeftAlone) {
  EXPECT_EQ(printable("caf\xc3\xa9 \xe2\x9c\x93"), "caf\xc3\xa9 \xe2\x9c\x93");
  EXPECT_EQ(printable("back\\slash"), "back\\slash");
  EXPECT_EQ(printable("\xc2\xa0nbsp"), "\xc2\xa0nbsp") << "U+00A0 is not a control";
  EXPECT_FALSE(has_control_characters("caf\xc3\xa9"));
  EXPECT_TRUE(has_control_characters("a\x1b"));
  EXPECT_TRUE(has_control_characters("\xc2\x85"));
}

}  // namespace
}  // namespace hotmod::text
