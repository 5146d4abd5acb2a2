// hud — listens to the runtime's reload events and tells the host what the
// last one was. Subscriptions made through ctx.subscribe() belong to this
// version of the module: the runtime removes them before unloading it, and
// the next version subscribes again in its own on_load. What it heard is kept
// in HOTMOD_STATE, so reloading the hud itself forgets nothing.
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <string>
#include <string_view>

#include <hotmod/module.hpp>
#include <hotmod/value.hpp>

HOTMOD_MODULE("hud", "1.0.0", "Shows the last reload on the status line");

namespace {

// Fixed-size text, no std::string: the state outlives the image that wrote it.
struct LastReload {
  char module[48] = {};
  char version[32] = {};
  char stage[16] = {};
  double duration_ms = 0;
  std::uint64_t reload_count = 0;
  std::time_t when = 0;
  bool failed = false;
  std::uint64_t heard = 0;  // events seen, across the hud's own reloads too
};

template <std::size_t N>
void copy(char (&dst)[N], std::string_view src) {
  const std::size_t n = src.size() < N - 1 ? src.size() : N - 1;
  src.copy(dst, n);
  dst[n] = '\0';
}

std::string text(const hotmod::Value& payload, const char* key) {
  const auto it = payload.find(key);
  return it != payload.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void heard(std::string_view topic, const hotmod::Value& payload) {
  if (!payload.is_object()) return;
  LastReload& last = hotmod::state<LastReload>();
  const std::uint64_t count = last.heard + 1;
  last = LastReload{};
  last.heard = count;
  last.failed = topic == "module.reload_failed";
  last.when = std::time(nullptr);
  copy(last.module, text(payload, "name"));
  copy(last.version, text(payload, "version"));
  copy(last.stage, text(payload, "stage"));
  last.duration_ms = payload.value("duration_ms", 0.0);
  last.reload_count = payload.value("reload_count", std::uint64_t{0});
}

void on_load(hotmod::Context& ctx) {
  ctx.subscribe("module.reloaded", heard);
  ctx.subscribe("module.reload_failed", heard);
}
HOTMOD_ON_LOAD(on_load);

// One line for the status area, e.g.
// "last reload: renderer 1.1.0 in 3.2 ms at 14:03:22 (reload #2)".
std::string line() {
  const LastReload& last = hotmod::state<LastReload>();
  if (last.heard == 0) return "no reloads yet: rebuild a module and watch this line";
  std::tm local{};
  localtime_r(&last.when, &local);
  char clock[16];
  std::strftime(clock, sizeof clock, "%H:%M:%S", &local);
  char buf[160];
  if (last.failed)  // the host prints the error itself; keep this line short
    std::snprintf(buf, sizeof buf, "last reload: %s FAILED at %s (stage %s)", last.module, clock,
                  last.stage);
  else
    std::snprintf(buf, sizeof buf, "last reload: %s %s in %.1f ms at %s (reload #%llu)",
                  last.module, last.version, last.duration_ms, clock,
                  static_cast<unsigned long long>(last.reload_count));
  return buf;
}
HOTMOD_EXPORT(line, "The last reload (or failure) as one line of text");

}  // namespace

HOTMOD_STATE(LastReload, 1);
