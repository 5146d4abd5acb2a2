// config/json_lines: the line of every key, in texts with comments, escapes
// and nesting; generated documents checked against the lines they were
// printed on, and mangled texts that must not trip the scanner.
#include "config/json_lines.hpp"

#include <algorithm>
#include <random>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace hotmod::config {
namespace {

using Lines = std::map<std::string, int, std::less<>>;

TEST(JsonLines, KeysAndElementsByPointer) {
  const KeyLines k = scan_key_lines(
      "{\n"
      "  \"dev_mode\": true,\n"
      "  \"module_paths\": [\n"
      "    \"a\",\n"
      "    \"b\"],\n"
      "  \"modules\": {\n"
      "    \"physics\": {\"build\": \"make\",\n"
      "                \"sources\": [\"x\"]}\n"
      "  }\n"
      "}\n");
  const Lines expected{{"/dev_mode", 2},
                       {"/module_paths", 3},
                       {"/module_paths/0", 4},
                       {"/module_paths/1", 5},
                       {"/modules", 6},
                       {"/modules/physics", 7},
                       {"/modules/physics/build", 7},
                       {"/modules/physics/sources", 8},
                       {"/modules/physics/sources/0", 8}};
  EXPECT_EQ(k.lines, expected);
  EXPECT_TRUE(k.duplicates.empty());
}

TEST(JsonLines, CommentsHideQuotesAndBraces) {
  const KeyLines k = scan_key_lines(
      "// \"fake\": { [\n"
      "{ /* \"also\": \"fake\" }\n"
      "   still a comment ] */ \"real\": 1, // \"x\": \"y\" }\n"
      "  \"next\": /* \" */ {\"inner\": 2}\n"
      "}\n");
  const Lines expected{{"/real", 3}, {"/next", 4}, {"/next/inner", 4}};
  EXPECT_EQ(k.lines, expected);
}

TEST(JsonLines, SlashesInsideStringsAreNotComments) {
  const KeyLines k = scan_key_lines(
      "{\"url\": \"http://example.com/*\",\n"
      " \"after\": \"*/ // {\"}\n");
  const Lines expected{{"/after", 2}, {"/url", 1}};
  EXPECT_EQ(k.lines, expected);
}

TEST(JsonLines, EscapedQuotesAndBackslashesInStrings) {
  const KeyLines k = scan_key_lines(
      "{\"a\\\"b\": \"value with \\\" and \\\\\",\n"
      " \"c\\\\\": {\"d\": \"\\\\\\\"\"},\n"
      " \"e\": 1}\n");
  const Lines expected{{"/a\"b", 1}, {"/c\\", 2}, {"/c\\/d", 2}, {"/e", 3}};
  EXPECT_EQ(k.lines, expected);
}

TEST(JsonLines, PointerTokensEscapeSlashAndTilde) {
  EXPECT_EQ(pointer_token("a/b~c"), "a~1b~0c");
  const KeyLines k = scan_key_lines("{\"a/b\": {\"~\": 1}}");
  const Lines expected{{"/a~1b", 1}, {"/a~1b/~0", 1}};
  EXPECT_EQ(k.lines, expected);
}

TEST(JsonLines, UnicodeEscapesDecodeLikeTheParser) {
  const std::string text = "{\"caf\\u00e9\": 1,\n \"\\ud83d\\ude00\": 2, \"\\/x\": 3}";
  const KeyLines k = scan_key_lines(text);
  const Lines expected{{"/caf\xC3\xA9", 1}, {"/\xF0\x9F\x98\x80", 2}, {"/~1x", 2}};
  EXPECT_EQ(k.lines, expected);
  const auto parsed = nlohmann::json::parse(text);
  for (const auto& [pointer, line] : k.lines)
    EXPECT_TRUE(parsed.contains(nlohmann::json::json_pointer(pointer))) << pointer;
}

TEST(JsonLines, NestedArraysCountElements) {
  const KeyLines k = scan_key_lines(
      "[[1, 2],\n"
      " [[\"x\"], {\"k\": [3,\n"
      "   4]}],\n"
      " null]");
  const Lines expected{{"/0", 1},       {"/0/0", 1},     {"/0/1", 1}, {"/1", 2},
                       {"/1/0", 2},     {"/1/0/0", 2},   {"/1/1", 2}, {"/1/1/k", 2},
                       {"/1/1/k/0", 2}, {"/1/1/k/1", 3}, {"/2", 4}};
  EXPECT_EQ(k.lines, expected);
}

TEST(JsonLines, DuplicateKeysKeepTheLastLine) {
  const KeyLines k = scan_key_lines("{\"a\": 1,\n\"b\": {\"a\": 2},\n\"a\": 3}");
  EXPECT_EQ(k.lines.at("/a"), 3);
  EXPECT_EQ(k.lines.at("/b/a"), 2);  // same name, other object: no duplicate
  ASSERT_EQ(k.duplicates.size(), 1u);
  EXPECT_EQ(k.duplicates[0].pointer, "/a");
  EXPECT_EQ(k.duplicates[0].first_line, 1);
  EXPECT_EQ(k.duplicates[0].line, 3);
}

TEST(JsonLines, LineOfFallsBackToTheNearestAncestor) {
  const KeyLines k = scan_key_lines("{\n\"watch\": {\n\"backend\": \"x\"}}");
  EXPECT_EQ(k.line_of("/watch/backend"), 3);
  EXPECT_EQ(k.line_of("/watch/missing"), 2);
  EXPECT_EQ(k.line_of("/missing/deeper"), 1);
  EXPECT_EQ(k.line_of(""), 1);
}

TEST(JsonLines, CarriageReturnsAreNotLines) {
  const KeyLines k = scan_key_lines("{\r\n\"a\": 1,\r\n\"b\": 2\r\n}");
  const Lines expected{{"/a", 2}, {"/b", 3}};
  EXPECT_EQ(k.lines, expected);
}

// ---- generated documents ------------------------------------------------------

// Prints a random JSON document with random layout and comments, recording
// the line each key and element starts on: what the scanner must find.
class Printer {
 public:
  explicit Printer(unsigned seed) : rng_(seed) {}

  std::string document() {
    gap();
    if (chance(4)) {
      array("", 0);
    } else {
      object("", 0);
    }
    gap();
    return text_;
  }

  Lines expected;

 private:
  bool chance(int one_in) { return std::uniform_int_distribution<int>(1, one_in)(rng_) == 1; }
  int between(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  void emit(std::string_view s) {
    for (char c : s) line_ += c == '\n' ? 1 : 0;
    text_ += s;
  }

  // Whitespace and comments that look like JSON.
  void gap() {
    static const char* kNoise[] = {"\"k\": {", "}", "[", "]", "\"", "\\\"", "/*", "//", ",", "'"};
    for (int i = between(0, 3); i > 0; --i) {
      switch (between(0, 4)) {
        case 0:
          emit(" ");
          break;
        case 1:
          emit("\n");
          break;
        case 2:
          emit("\t");
          break;
        case 3: {
          std::string c = "//";
          for (int j = between(0, 3); j > 0; --j) c += kNoise[between(0, 9)];
          emit(c + "\n");
          break;
        }
        default: {
          std::string c = "/*";
          for (int j = between(0, 3); j > 0; --j) {
            const std::string noise = kNoise[between(0, 9)];
            c += noise == "/*" ? "/ +" : noise;  // "*/" must not appear early
            if (chance(3)) c += "\n";
          }
          emit(c + "*/");
          break;
        }
      }
    }
  }

  // A key with characters that matter to a scanner, written with escapes.
  std::pair<std::string, std::string> key() {
    static const std::string kChars[] = {"a", "b", "z", "_", ".", " ",
                                         "/", "~", "{", "]", ":", ","};
    std::string plain, written = "\"";
    for (int i = between(1, 6); i > 0; --i) {
      switch (between(0, 9)) {
        case 0:
          plain += '"';
          written += "\\\"";
          break;
        case 1:
          plain += '\\';
          written += "\\\\";
          break;
        case 2:
          plain += '\n';
          written += "\\n";
          break;
        case 3:
          plain += 'q';
          written += "\\u0071";
          break;
        case 4:
          plain += "\xC3\xA9";
          written += "\xC3\xA9";
          break;
        default: {
          const std::string& c = kChars[between(0, 11)];
          plain += c;
          written += c == "/" && chance(2) ? "\\/" : c;
        }
      }
    }
    return {plain, written + "\""};
  }

  void scalar() {
    static const char* kScalars[] = {"0",
                                     "-12",
                                     "3.5e-2",
                                     "true",
                                     "false",
                                     "null",
                                     "\"s\"",
                                     "\"a\\\"{[\"",
                                     "\"// not a comment\"",
                                     "\"/* nor this */\""};
    emit(kScalars[between(0, 9)]);
  }

  void value(const std::string& pointer, int depth) {
    const int kind = depth > 3 ? 2 : between(0, 4);
    if (kind == 0) {
      object(pointer, depth + 1);
    } else if (kind == 1) {
      array(pointer, depth + 1);
    } else {
      scalar();
    }
  }

  void object(const std::string& pointer, int depth) {
    emit("{");
    std::set<std::string> used;
    const int n = between(0, 4);
    for (int i = 0; i < n; ++i) {
      auto [plain, written] = key();
      if (!used.insert(plain).second) continue;
      if (used.size() > 1) emit(",");
      gap();
      const std::string child = pointer + "/" + pointer_token(plain);
      expected[child] = line_;
      emit(written);
      gap();
      emit(":");
      gap();
      value(child, depth);
      gap();
    }
    emit("}");
  }

  void array(const std::string& pointer, int depth) {
    emit("[");
    const int n = between(0, 4);
    for (int i = 0; i < n; ++i) {
      if (i > 0) emit(",");
      gap();
      const std::string child = pointer + "/" + std::to_string(i);
      expected[child] = line_;
      value(child, depth);
      gap();
    }
    emit("]");
  }

  std::mt19937 rng_;
  std::string text_;
  int line_ = 1;
};

TEST(JsonLines, GeneratedDocumentsGiveEveryLine) {
  for (unsigned seed = 1; seed <= 2000; ++seed) {
    Printer p(seed);
    const std::string text = p.document();
    // The generator writes valid JSON with comments, as nlohmann reads it.
    nlohmann::json parsed;
    ASSERT_NO_THROW(parsed = nlohmann::json::parse(text, nullptr, true, true))
        << "seed " << seed << ":\n"
        << text;
    const KeyLines k = scan_key_lines(text);
    ASSERT_EQ(k.lines, p.expected) << "seed " << seed << ":\n" << text;
    // Pointers name the parsed keys exactly (escapes decoded alike).
    for (const auto& [pointer, line] : k.lines)
      ASSERT_TRUE(parsed.contains(nlohmann::json::json_pointer(pointer)))
          << "seed " << seed << ": " << pointer;
  }
}

// Not JSON at all: the scanner records what it can and never reads past
// the text (ASan would see it) or loops.
TEST(JsonLines, MangledTextsDoNotTripTheScanner) {
  std::mt19937 rng(7);
  const std::string alphabet = "{}[]\",:/*\\\n u0aZ~";
  for (unsigned seed = 1; seed <= 300; ++seed) {
    Printer p(seed);
    std::string text = p.document();
    const int mode = static_cast<int>(seed % 3);
    if (mode == 0) {
      text.resize(std::uniform_int_distribution<std::size_t>(0, text.size())(rng));
    } else if (mode == 1) {
      for (int i = 0; i < 5 && !text.empty(); ++i)
        text[std::uniform_int_distribution<std::size_t>(0, text.size() - 1)(rng)] =
            alphabet[std::uniform_int_distribution<std::size_t>(0, alphabet.size() - 1)(rng)];
    } else {
      text.clear();
      for (int i = 0; i < 200; ++i)
        text += alphabet[std::uniform_int_distribution<std::size_t>(0, alphabet.size() - 1)(rng)];
    }
    const KeyLines k = scan_key_lines(text);
    const int last_line = 1 + static_cast<int>(std::count(text.begin(), text.end(), '\n'));
    for (const auto& [pointer, line] : k.lines) {
      EXPECT_GE(line, 1) << pointer;
      EXPECT_LE(line, last_line) << pointer;
    }
  }
  for (const char* edge : {"", "\"", "\"\\", "/", "/*", "{\"a", "{\"a\":", "]]]}}}", "\\u12"})
    EXPECT_NO_THROW(scan_key_lines(edge));
}

}  // namespace
}  // namespace hotmod::config
