// hotmod-example — an aquarium in the terminal, drawn by three modules that
// can be rebuilt while it runs:
//   renderer   a typed interface (hotmod::Ref<IRenderer>) called every frame
//   creatures  plain functions called by name (hotmod::Module::call) with
//              persistent state: the fish keep swimming through a reload
//   hud        subscribes to reload events and describes the last one
// Configured like any hotmod host: hotmod.json, HOTMOD_* variables and the
// --dev / -M / --no-watch flags. The example runs in dev mode unless told
// otherwise, so the runtime's watcher reloads a module the moment its file
// is rebuilt.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <hotmod/config.hpp>
#include <hotmod/runtime.hpp>

#include "aquarium/scene.hpp"
#include "status.hpp"
#include "terminal.hpp"

#ifndef HOTMOD_EXAMPLE_MODULES_DIR
#define HOTMOD_EXAMPLE_MODULES_DIR "modules"
#endif

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kWidth = 60;
constexpr int kHeight = 20;
constexpr auto kStatusEvery = std::chrono::milliseconds(250);
constexpr const char* kModuleNames[] = {"renderer", "creatures", "hud"};

struct Options {
  hotmod::RuntimeOptions runtime;  // from hotmod's configuration layers
  std::string modules;             // for messages: where modules are looked for
  std::uint64_t frames = 0;        // 0: until Ctrl-C
  int fps = 20;
  bool no_color = false;
};

std::string describe(const hotmod::Error& e) {
  return std::string(hotmod::to_string(e.stage)) + ": " + e.message;
}

// Moves the fish and puts them into the frame. Dynamic calls: looked up by
// name, arguments and results as hotmod::Value. Returns what went wrong.
std::vector<host::Line> swim(const hotmod::Module& creatures, aquarium::Frame& frame, double dt,
                             std::uint64_t& steps) {
  std::vector<host::Line> trouble;
  if (auto r = creatures.call("step", frame.width, frame.height, dt); !r)
    trouble.push_back({"creatures: " + describe(r.error()), host::kBad});
  if (auto r = creatures.call("sprites"); r) {
    try {
      frame.sprites = r->get<std::vector<aquarium::Sprite>>();
    } catch (const std::exception& e) {
      trouble.push_back({std::string("creatures.sprites: ") + e.what(), host::kBad});
    }
  } else {
    trouble.push_back({"creatures: " + describe(r.error()), host::kBad});
  }
  if (auto r = creatures.call("stats"); r && r->is_object()) steps = r->value("steps", steps);
  return trouble;
}

int run(const Options& opt) {
  const bool interactive = host::stdout_is_terminal();
  host::LogTail logs(interactive);
  host::ReloadBoard board;

  hotmod::RuntimeOptions ro = opt.runtime;
  ro.log_sink = [&logs](hotmod::LogLevel level, std::string_view m) { logs.add(level, m); };
  hotmod::Runtime rt(std::move(ro));
  rt.on_reload([&board](const hotmod::ReloadStats& s) { board.record(s); });

  // Loading happens here, on first use.
  auto renderer_ref = rt.ref<aquarium::IRenderer>("renderer");
  auto creatures_mod = rt.module("creatures");
  auto hud_mod = rt.module("hud");
  bool loaded = true;
  auto check = [&](const char* name, const auto& result) {
    if (result.ok()) return;
    fmt::print(stderr, "hotmod-example: cannot load module '{}' from {}\n  {}\n", name, opt.modules,
               describe(result.error()));
    loaded = false;
  };
  check("renderer", renderer_ref);
  check("creatures", creatures_mod);
  check("hud", hud_mod);
  if (!loaded) {
    fmt::print(stderr, "  (build them first: cmake --build --preset dev)\n");
    return 1;
  }
  // Declared after `rt`, so they are gone before the runtime shuts down.
  const hotmod::Ref<aquarium::IRenderer> renderer = std::move(renderer_ref).value();
  const hotmod::Module creatures = std::move(creatures_mod).value();
  const hotmod::Module hud = std::move(hud_mod).value();

  aquarium::Frame frame;
  frame.width = kWidth;
  frame.height = kHeight;
  std::uint64_t steps = 0;
  std::uint64_t n = 0;
  {
    host::Terminal term(interactive, !opt.no_color);
    frame.color = term.color();
    const auto period = std::chrono::nanoseconds(1'000'000'000 / opt.fps);
    const auto start = Clock::now();
    auto last_frame = start;
    auto last_status = start;
    auto next = start;
    host::Status status_block = host::status(rt, board, kModuleNames);
    std::string out;
    std::string picture;

    for (; !host::stop_requested() && (opt.frames == 0 || n < opt.frames); ++n) {
      const auto now = Clock::now();
      if (now - last_status >= kStatusEvery) {
        last_status = now;
        status_block = host::status(rt, board, kModuleNames);
      }
      const double dt = std::min(std::chrono::duration<double>(now - last_frame).count(), 0.1);
      last_frame = now;
      frame.tick = n;
      frame.seconds = std::chrono::duration<double>(now - start).count();

      std::vector<host::Line> trouble = swim(creatures, frame, dt, steps);
      auto hud_line = hud.call_as<std::string>("line");

      // The hot path: a typed call through the interface, no lookup.
      picture.clear();
      try {
        renderer->draw(frame, picture);
      } catch (const std::exception& e) {
        picture = std::string("renderer threw: ") + e.what() + "\n";
      }

      out.clear();
      term.begin_frame(out, n);
      if (interactive)
        term.line(out, "hotmod aquarium: edit examples/modules/*/*.cpp, rebuild it, watch",
                  host::kDim);
      out += picture;
      for (const host::Line& l : status_block.modules) term.line(out, l.text, l.color);
      term.line(out, hud_line ? "hud: " + *hud_line : "hud: " + describe(hud_line.error()),
                hud_line ? host::kInfo : host::kBad);
      term.line(out,
                fmt::format("fish steps: {} (kept across reloads)  frame {}{}", steps, n,
                            interactive ? "  Ctrl-C quits" : ""),
                host::kDim);
      for (const host::Line& l : status_block.problems) term.line(out, l.text, l.color);
      for (const host::Line& l : trouble) term.line(out, l.text, l.color);
      for (const host::Line& l : logs.lines()) term.line(out, l.text, l.color);
      term.end_frame(out);
      host::Terminal::write(out);

      next += period;
      if (next < Clock::now()) next = Clock::now();  // fell behind: don't rush to catch up
      std::this_thread::sleep_until(next);
    }
  }  // the terminal is restored here

  std::string summary = fmt::format("hotmod-example: {} frames, {} fish steps; reloads:", n, steps);
  for (const char* name : kModuleNames) {
    if (auto info = rt.info(name))
      summary += fmt::format(" {} {} x{}", name, info->version, info->reload_count);
  }
  fmt::print("{}\n", summary);
  return 0;
}

}  // namespace

// hotmod's layers: its own flags (taken out of `args`), HOTMOD_* variables,
// hotmod.json, then this example's defaults: dev mode, the build tree.
bool configure(std::vector<std::string>& args, Options& opt) {
  auto cli = hotmod::parse_command_line(args);
  if (!cli) {
    fmt::print(stderr, "hotmod-example: {}\n", cli.error().message);
    return false;
  }
  hotmod::ConfigInputs in;
  in.command_line = *cli;
  in.defaults.dev_mode = true;
  in.defaults.module_paths = {HOTMOD_EXAMPLE_MODULES_DIR};
  auto config = hotmod::load_config(in);
  if (!config) {
    fmt::print(stderr, "hotmod-example: {}\n", config.error().message);
    return false;
  }
  opt.runtime = std::move(config->options);
  for (const auto& p : opt.runtime.module_paths)
    opt.modules += (opt.modules.empty() ? "" : ":") + p.string();
  return true;
}

int main(int argc, char** argv) {
  Options opt;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!configure(args, opt)) return 2;
  CLI::App app{
      "hotmod-example: an aquarium whose modules you can rebuild while it runs\n"
      "hotmod's options also apply: -M/--module-path DIR, --dev/--no-dev, --no-watch,\n"
      "--config FILE, --log-level LEVEL, --debounce-ms N (and HOTMOD_* variables)"};
  app.add_option("--frames", opt.frames, "Exit after N frames (default: run until Ctrl-C)");
  app.add_option("--fps", opt.fps, "Frames per second")
      ->capture_default_str()
      ->check(CLI::Range(1, 120));
  app.add_flag("--no-color", opt.no_color, "No colours (also: set NO_COLOR)");
  std::reverse(args.begin(), args.end());  // CLI11 takes a vector last-first
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (const char* no_color = std::getenv("NO_COLOR"); no_color != nullptr && *no_color != '\0')
    opt.no_color = true;  // https://no-color.org

  host::install_stop_handlers();
  try {
    return run(opt);
  } catch (const std::exception& e) {
    fmt::print(stderr, "hotmod-example: {}\n", e.what());
    return 1;
  }
}
