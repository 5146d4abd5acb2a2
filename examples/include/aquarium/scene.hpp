// aquarium/scene.hpp — the contract between the example host and its modules.
//
// The host owns the frame loop and the terminal. The `renderer` module turns
// a Frame into text through IRenderer: a typed interface, called every frame
// through hotmod::Ref, so the hot path has no name lookup and no JSON. The
// `creatures` module hands its fish over as hotmod::Value (dynamic calls),
// which converts to Sprite with the from_json defined below.
//
// Changing anything here changes the binary contract: rebuild the host and
// every module, and restart the host.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace aquarium {

// One line of text at a position, e.g. a fish.
struct Sprite {
  int x = 0;  // column of the first character; may be partly off-screen
  int y = 0;
  std::string text;  // UTF-8, one column per code point
  int color = 15;    // xterm-256 foreground
};

struct Frame {
  int width = 60;
  int height = 20;
  std::uint64_t tick = 0;  // frames since the host started
  double seconds = 0;      // wall time since the host started
  bool color = true;       // false: plain characters, no escape codes at all
  std::vector<Sprite> sprites;
};

class IRenderer {
 public:
  virtual ~IRenderer() = default;
  // Appends frame.height lines to `out`, each ending in '\n'.
  virtual void draw(const Frame& frame, std::string& out) = 0;
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Sprite, x, y, text, color)

}  // namespace aquarium
