// renderer — draws the aquarium: water, sand, weed, bubbles, and the fish the
// host got from the `creatures` module. The host calls draw() every frame
// through hotmod::Ref<IRenderer>, a typed pointer that always reaches the
// newest version of this file.
//
// Try it while the host runs: change a glyph or a colour below, bump the
// version, then `cmake --build --preset dev --target aquarium_renderer`.
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <hotmod/module.hpp>

#include "aquarium/scene.hpp"

HOTMOD_MODULE("renderer", "1.0.0", "Draws the aquarium: water, sand, weed, bubbles and fish");

namespace {

// xterm-256 colours. The water darkens with depth.
constexpr std::uint8_t kWater[] = {38, 32, 26, 25, 25, 24, 24, 18, 18, 17};
constexpr std::uint8_t kWave = 159;
constexpr std::uint8_t kSand = 180;
constexpr std::uint8_t kPebble = 137;
constexpr std::uint8_t kWeed[] = {34, 40, 76};
constexpr std::uint8_t kBubble = 195;
constexpr std::uint8_t kChest = 178;

struct Weed {
  int x;
  int height;
};
constexpr Weed kWeeds[] = {{3, 7}, {11, 4}, {24, 9}, {38, 5}, {50, 8}, {56, 3}};

struct BubbleStream {
  int x;
  int slowness;  // frames per row risen
};
constexpr BubbleStream kStreams[] = {{8, 3}, {31, 2}, {45, 4}};

struct Cell {
  std::string_view glyph = " ";  // views a literal or a sprite of the frame being drawn
  std::uint8_t fg = 15;
  std::uint8_t bg = 0;
};

// The same pebbles every frame without keeping any state.
std::uint32_t scatter(int x, int y) {
  // Unsigned arithmetic: the multiplications are meant to wrap.
  std::uint32_t h =
      static_cast<std::uint32_t>(x) * 73856093u ^ static_cast<std::uint32_t>(y) * 19349663u;
  h ^= h >> 13;
  h *= 0x5bd1e995u;
  return h ^ (h >> 15);
}

class AquariumRenderer final : public aquarium::IRenderer {
 public:
  void draw(const aquarium::Frame& f, std::string& out) override {
    w_ = f.width;
    h_ = f.height;
    cells_.assign(static_cast<std::size_t>(w_ * h_), Cell{});  // keeps its capacity
    water(f);
    sand();
    weed(f);
    bubbles(f);
    put_text(w_ - 9, h_ - 3, "[$]", kChest);
    for (const aquarium::Sprite& s : f.sprites)
      put_text(s.x, s.y, s.text, static_cast<std::uint8_t>(s.color & 0xff));
    encode(f.color, out);
  }

 private:
  // A cell the caller knows is on screen (loops over the whole tank).
  Cell& cell(int x, int y) { return cells_[static_cast<std::size_t>(y * w_ + x)]; }
  // A cell that may be off screen (sprites, bubbles): null then.
  Cell* at(int x, int y) {
    if (x < 0 || y < 0 || x >= w_ || y >= h_) return nullptr;
    return &cell(x, y);
  }
  void put(int x, int y, std::string_view glyph, std::uint8_t fg) {
    if (Cell* c = at(x, y)) {
      c->glyph = glyph;
      c->fg = fg;
    }
  }
  // One cell per UTF-8 code point, so fish may wear non-ASCII scales.
  void put_text(int x, int y, std::string_view text, std::uint8_t fg) {
    for (std::size_t i = 0; i < text.size(); ++x) {
      std::size_t j = i + 1;
      while (j < text.size() && (static_cast<unsigned char>(text[j]) & 0xC0) == 0x80) ++j;
      put(x, y, text.substr(i, j - i), fg);
      i = j;
    }
  }

  void water(const aquarium::Frame& f) {
    constexpr int shades = sizeof kWater;
    for (int y = 0; y < h_ - 2; ++y) {
      for (int x = 0; x < w_; ++x) cell(x, y).bg = kWater[y * shades / (h_ - 2)];
    }
    for (int x = 0; x < w_; ++x) {
      const double wave = std::sin(x * 0.45 - f.seconds * 2.5);
      put(x, 0, wave > 0.2 ? "~" : "-", kWave);
    }
  }

  void sand() {
    for (int y = h_ - 2; y < h_; ++y) {
      for (int x = 0; x < w_; ++x) {
        const std::uint32_t r = scatter(x, y) % 16;
        Cell& c = cell(x, y);
        c.bg = kSand;
        c.fg = kPebble;
        c.glyph = r == 0 ? "o" : r < 3 ? "." : r < 4 ? "," : " ";
      }
    }
  }

  void weed(const aquarium::Frame& f) {
    for (const Weed& w : kWeeds) {
      for (int k = 0; k < w.height; ++k) {
        const double sway = std::sin(f.seconds * 1.7 + w.x * 0.9 - k * 0.5);
        const int dx = k * 2 > w.height ? (sway > 0.6 ? 1 : sway < -0.6 ? -1 : 0) : 0;
        put(w.x + dx, h_ - 3 - k, sway > 0 ? ")" : "(", kWeed[k % 3]);
      }
    }
  }

  void bubbles(const aquarium::Frame& f) {
    const int rows = h_ - 3;  // they rise from the sand to just below the surface
    for (const BubbleStream& s : kStreams) {
      for (int k = 0; k < 3; ++k) {
        const auto risen = static_cast<int>(
            (f.tick / static_cast<std::uint64_t>(s.slowness) + static_cast<std::uint64_t>(k * 6)) %
            static_cast<std::uint64_t>(rows));
        const int y = h_ - 3 - risen;
        const int x = s.x + static_cast<int>(std::lround(std::sin(f.seconds * 3 + y * 0.7) * 0.6));
        put(x, y, y < h_ / 3 ? "O" : y < h_ * 2 / 3 ? "o" : ".", kBubble);
      }
    }
  }

  // Colour changes only where the colour changes: a frame stays a few KB.
  void encode(bool color, std::string& out) const {
    for (int y = 0; y < h_; ++y) {
      int fg = -1;
      int bg = -1;
      for (int x = 0; x < w_; ++x) {
        const Cell& c = cells_[static_cast<std::size_t>(y * w_ + x)];
        if (color && (c.fg != fg || c.bg != bg)) {
          fg = c.fg;
          bg = c.bg;
          out += "\x1b[38;5;" + std::to_string(fg) + ";48;5;" + std::to_string(bg) + "m";
        }
        out += c.glyph;
      }
      if (color) out += "\x1b[0m";
      out += '\n';
    }
  }

  int w_ = 0;
  int h_ = 0;
  std::vector<Cell> cells_;
};

void on_load(hotmod::Context& ctx) {
  // To watch a reload fail, uncomment the next line and rebuild: the host
  // reports the failure and the previous renderer keeps drawing.
  // throw std::runtime_error("this renderer refuses to start");
  if (ctx.reload_count() > 0)
    ctx.log().info("drawing, reload #" + std::to_string(ctx.reload_count()));
}

}  // namespace

HOTMOD_INTERFACE(aquarium::IRenderer, AquariumRenderer);
HOTMOD_ON_LOAD(on_load);
