// creatures — the fish. Where they are is persistent state (HOTMOD_STATE):
// a reload keeps every fish in its place and the step counter counting.
// How they look and move is code: edit kSpecies, rebuild with
// `cmake --build --preset dev --target aquarium_creatures`, and the fish
// already swimming change shape or speed mid-stroke.
//
// The host reaches these functions by name (hotmod::Module::call), with
// hotmod::Value arguments: no shared header needed beyond aquarium::Sprite.
#include <array>
#include <cmath>
#include <cstdint>
#include <string>

#include <hotmod/module.hpp>
#include <hotmod/value.hpp>

#include "aquarium/scene.hpp"

HOTMOD_MODULE("creatures", "1.0.0", "The fish: where they swim and what they look like");

namespace {

struct Species {
  const char* right;  // facing right
  const char* left;
  int color;    // xterm-256
  float speed;  // columns per second
};
constexpr std::array<Species, 4> kSpecies{{
    {"><>", "<><", 208, 9.0f},
    {"><((('>", "<')))><", 220, 5.0f},
    {">=>", "<=<", 51, 13.0f},
    {"><(((*>", "<*)))><", 213, 3.5f},
}};

struct Fish {
  float x = 0;
  float depth = 0;    // the row it swims around
  float heading = 1;  // +1 right, -1 left
  float phase = 0;    // for bobbing up and down
  std::uint32_t species = 0;
};

// Kept across reloads. Plain data (no pointers into this image), so any later
// version can use it as is. If a later version changes School's size,
// alignment or schema number, the runtime hands it a fresh School instead of
// misreading this one: bump the schema when a field changes meaning only.
struct School {
  std::array<Fish, 8> fish{};
  std::uint64_t steps = 0;
  std::uint32_t rng = 2463534242u;
  bool spawned = false;
};

std::uint32_t next_random(School& s) {  // xorshift32: tiny and good enough for fish
  s.rng ^= s.rng << 13;
  s.rng ^= s.rng >> 17;
  s.rng ^= s.rng << 5;
  return s.rng;
}

int columns(const char* text) {
  int n = 0;
  for (const char* p = text; *p != '\0'; ++p) n += (static_cast<unsigned char>(*p) & 0xC0) != 0x80;
  return n;
}

const Species& species_of(const Fish& f) {
  return kSpecies[f.species % kSpecies.size()];
}

void spawn(School& s, int width, int height) {
  const auto across = static_cast<std::uint32_t>(width > 16 ? width - 8 : 8);
  const auto down = static_cast<std::uint32_t>(height > 10 ? height - 7 : 3);
  for (std::size_t i = 0; i < s.fish.size(); ++i) {
    Fish& f = s.fish[i];
    f.species = static_cast<std::uint32_t>(i % kSpecies.size());
    f.x = static_cast<float>(next_random(s) % across);
    f.depth = 2.0f + static_cast<float>(next_random(s) % down);
    f.heading = next_random(s) % 2 == 0 ? 1.0f : -1.0f;
    f.phase = static_cast<float>(next_random(s) % 628) / 100.0f;
  }
  s.spawned = true;
}

// Moves every fish by dt seconds inside a width x height tank.
void step(int width, int height, double dt) {
  School& s = hotmod::state<School>();
  if (!s.spawned) spawn(s, width, height);
  const auto t = static_cast<float>(dt);
  for (Fish& f : s.fish) {
    const Species& sp = species_of(f);
    const auto right_edge = static_cast<float>(width - columns(sp.right));
    f.x += f.heading * sp.speed * t;
    f.phase += t;
    if (f.x <= 0) {
      f.x = 0;
      f.heading = 1;
    } else if (f.x >= right_edge) {
      f.x = right_edge;
      f.heading = -1;
    }
    if (next_random(s) % 600 == 0) f.heading = -f.heading;  // a change of mind
  }
  ++s.steps;
}
HOTMOD_EXPORT(step, "Moves the fish by dt seconds", "width", "height", "dt");

// Where every fish is and how it looks, as [{x, y, text, color}, ...].
hotmod::Value sprites() {
  hotmod::Value out = hotmod::Value::array();
  for (const Fish& f : hotmod::state<School>().fish) {
    const Species& sp = species_of(f);
    aquarium::Sprite sprite;
    sprite.x = static_cast<int>(std::lround(f.x));
    sprite.y = static_cast<int>(std::lround(f.depth + std::sin(f.phase * 0.9f)));
    sprite.text = f.heading > 0 ? sp.right : sp.left;
    sprite.color = sp.color;
    out.push_back(sprite);
  }
  return out;
}
HOTMOD_EXPORT(sprites, "The fish as sprites: [{x, y, text, color}]");

hotmod::Value stats() {
  const School& s = hotmod::state<School>();
  return {{"steps", s.steps}, {"fish", s.fish.size()}};
}
HOTMOD_EXPORT(stats, "How long the school has been swimming: {steps, fish}");

void on_load(hotmod::Context& ctx) {
  if (ctx.state_restored())
    ctx.log().info("school kept: " + std::to_string(hotmod::state<School>().steps) +
                   " steps so far");
}
HOTMOD_ON_LOAD(on_load);

}  // namespace

HOTMOD_STATE(School, 1);
