#include "compile/toolchain.hpp"

#include <fmt/format.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>

namespace hotmod::compile {
namespace fs = std::filesystem;
namespace {

bool executable(const fs::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
}

std::vector<std::string> split_words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::string identity_of(const fs::path& program) {
  std::error_code ec;
  const fs::path real = fs::canonical(program, ec);
  struct stat st {};
  if (ec || ::stat(real.c_str(), &st) != 0) return "missing:" + program.string();
  return real.string() + ":" + std::to_string(st.st_size) + ":" +
         std::to_string(static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL +
                        st.st_mtim.tv_nsec);
}

}  // namespace

fs::path find_program(std::string_view name) {
  if (name.empty()) return {};
  if (name.find('/') != std::string_view::npos)
    return executable(fs::path(name)) ? fs::path(name) : fs::path();
  const char* path = std::getenv("PATH");
  const std::string_view dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  for (;;) {
    const std::size_t colon = dirs.find(':', start);
    std::string_view dir = dirs.substr(start, colon - start);
    if (dir.empty()) dir = ".";
    fs::path candidate = fs::path(dir);
    candidate /= name;
    if (executable(candidate)) return candidate;
    if (colon == std::string::npos) return {};
    start = colon + 1;
  }
}

Result<Toolchain> find_toolchain(const RuntimeOptions::Cxx& cxx) {
  Toolchain t;
  std::string compiler = cxx.compiler;
  std::string from = "cxx.compiler";
  if (compiler.empty()) {
    const char* env = std::getenv("CXX");
    compiler = env != nullptr && *env != '\0' ? env : "c++";
    from = env != nullptr && *env != '\0' ? "$CXX" : "the default compiler";
  }
  // $CXX may hold a launcher and flags ("ccache g++"): the last word that
  // names a program is the compiler, what comes before it a launcher.
  std::vector<std::string> words = split_words(compiler);
  if (words.empty())
    return Error{Stage::build, Failure::invalid_config,
                 "cxx.compiler is empty; name a compiler such as g++ or clang++"};
  t.compiler = find_program(words.back());
  if (t.compiler.empty())
    return Error{Stage::build, Failure::toolchain_missing,
                 fmt::format("cannot find the C++ compiler '{}' ({}); install it or set "
                             "cxx.compiler in hotmod.json to one in PATH",
                             words.back(), from)};
  words.pop_back();
  for (const std::string& w : words) t.launcher.push_back(w);
  std::error_code ec;
  const std::string real = fs::canonical(t.compiler, ec).filename().string();
  const std::string named = t.compiler.filename().string();
  t.family = real.find("clang") != std::string::npos || named.find("clang") != std::string::npos
                 ? CompilerFamily::clang
                 : CompilerFamily::gcc;
  t.identity = identity_of(t.compiler);

  if (!cxx.launcher.empty()) {
    std::vector<std::string> launcher = split_words(cxx.launcher);
    const fs::path program = find_program(launcher.front());
    if (program.empty())
      return Error{Stage::build, Failure::toolchain_missing,
                   fmt::format("cannot find the compiler launcher '{}' (cxx.launcher); install "
                               "it or remove cxx.launcher from hotmod.json",
                               launcher.front())};
    launcher.front() = program.string();
    t.launcher.insert(t.launcher.begin(), launcher.begin(), launcher.end());
  }

  const std::string& linker = cxx.linker;
  auto use = [&](const char* name) {
    t.linker_name = name;
    t.linker_flag = std::string("-fuse-ld=") + name;
  };
  if (linker == "auto" || linker.empty()) {
    if (!find_program("ld.mold").empty())
      use("mold");
    else if (!find_program("ld.lld").empty())
      use("lld");
    else
      t.linker_name = "default";
  } else if (linker == "mold" || linker == "lld") {
    if (find_program(std::string("ld.") + linker).empty())
      return Error{Stage::build, Failure::toolchain_missing,
                   fmt::format("cxx.linker is '{}' but ld.{} is not installed; install it or "
                               "set cxx.linker to \"auto\"",
                               linker, linker)};
    use(linker.c_str());
  } else if (linker == "default") {
    t.linker_name = "default";
  } else {
    return Error{Stage::build, Failure::invalid_config,
                 fmt::format("cxx.linker is '{}'; use auto, mold, lld or default", linker)};
  }
  return t;
}

}  // namespace hotmod::compile
