// Compiler launchers (cxx.launcher) with the real tools: ccache must cache
// hotmod's compiles (with and without the precompiled header), distcc must
// send them to a distccd this test starts on 127.0.0.1, and a launcher that
// is not installed is named in the error. scripts/setup installs ccache,
// distcc and distccd; a missing tool fails the test instead of skipping it,
// so a machine without them cannot pass by testing nothing.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "compile/toolchain.hpp"
#include "files.hpp"
#include "process/run.hpp"
#include "source_support.hpp"

namespace hotmod_test {
namespace {

using namespace std::chrono_literals;

// Sets (or, with nullopt, unsets) an environment variable for the life of
// the object, then puts back what was there. The launchers read their
// configuration only from the environment the compile inherits. Create it
// before the Runtime, so no runtime thread reads the environment while it
// changes.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, std::optional<std::string> value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) old_ = old;
    if (value)
      ::setenv(name_.c_str(), value->c_str(), 1);
    else
      ::unsetenv(name_.c_str());
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_.c_str(), old_->c_str(), 1);
    else
      ::unsetenv(name_.c_str());
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

// The path of `program` in PATH; a test failure saying how to get it when
// it is missing.
fs::path require_tool(const std::string& program) {
  fs::path found = hotmod::compile::find_program(program);
  if (found.empty())
    ADD_FAILURE() << "'" << program
                  << "' is not installed (not in PATH); run scripts/setup, which installs the "
                     "compiler launchers these tests use";
  return found;
}

// Runs a shell command and returns what it printed (stdout and stderr).
std::string output_of(const std::string& command) {
  const hotmod::process::Outcome run = hotmod::process::run(hotmod::process::shell(command));
  if (!run.started) ADD_FAILURE() << "cannot run '" << command << "': " << run.error;
  return run.output;
}

// ccache's counters for the CCACHE_DIR in the environment. ccache 4.7
// prints one "name<TAB>value" line per counter with --print-stats.
struct CcacheStats {
  std::map<std::string, long long> counters;
  std::string text;

  long long operator[](const std::string& name) const {
    auto it = counters.find(name);
    return it == counters.end() ? 0 : it->second;
  }
  long long hits() const { return (*this)["direct_cache_hit"] + (*this)["preprocessed_cache_hit"]; }
  long long misses() const { return (*this)["cache_miss"]; }
  // The counters that are not zero, for failure messages.
  std::string nonzero() const {
    std::string out = "ccache counters:";
    for (const auto& [name, value] : counters)
      if (value != 0 && !name.ends_with("timestamp"))
        out += " " + name + "=" + std::to_string(value);
    return out + "\n";
  }
};

CcacheStats ccache_stats() {
  CcacheStats s;
  s.text = output_of("ccache --print-stats");
  std::istringstream in(s.text);
  for (std::string line; std::getline(in, line);) {
    const std::size_t tab = line.find('\t');
    if (tab == std::string::npos) continue;
    try {
      s.counters[line.substr(0, tab)] = std::stoll(line.substr(tab + 1));
    } catch (const std::exception&) {
      // Not a counter line; --print-stats prints only counters today.
    }
  }
  if (s.counters.count("cache_miss") == 0 || s.counters.count("direct_cache_hit") == 0)
    ADD_FAILURE() << "`ccache --print-stats` did not print the cache_miss and direct_cache_hit "
                     "counters this test reads (ccache 4.7 does); it printed:\n"
                  << s.text;
  return s;
}

// What ccache's log says about its decisions ("Result: ...", why it gave
// up), for failure messages: the reason for a miss is only written there.
std::string ccache_decisions(const fs::path& log) {
  std::istringstream in(read_file(log));
  std::string out;
  for (std::string line; std::getline(in, line);)
    if (line.find("Result:") != std::string::npos ||
        line.find("Hashing CWD") != std::string::npos || line.find("Failed") != std::string::npos ||
        line.find("not supported") != std::string::npos ||
        line.find("precompiled header") != std::string::npos)
      out += line + "\n";
  return out;
}

class LauncherTest : public SourceTest {
 protected:
  // ccache with a cache of this test's own, so counters start at zero and
  // no other run's entries can answer. CCACHE_LOGFILE records why each
  // compile hit or missed.
  void use_own_ccache() {
    ASSERT_FALSE(require_tool("ccache").empty());
    ccache_dir_.emplace("CCACHE_DIR", (tmp_.path() / "ccache").string());
    ccache_log_.emplace("CCACHE_LOGFILE", (tmp_.path() / "ccache.log").string());
    // Set in a developer's shell, these would make every compile miss.
    ccache_disable_.emplace("CCACHE_DISABLE", std::nullopt);
    ccache_recache_.emplace("CCACHE_RECACHE", std::nullopt);
  }
  std::string ccache_log() const { return ccache_decisions(tmp_.path() / "ccache.log"); }

 private:
  std::optional<ScopedEnv> ccache_dir_, ccache_log_, ccache_disable_, ccache_recache_;
};

TEST_F(LauncherTest, CcacheCachesTheCompile) {
  ASSERT_NO_FATAL_FAILURE(use_own_ccache());
  write("modules/cached.cpp", module_text("cached", 42));

  // Without the precompiled header, so the second runtime's own cache
  // folder changes nothing in the compile command; the PCH case follows.
  auto opts_in = [&](const char* cache) {
    hotmod::RuntimeOptions o = dev_options();
    o.cxx.launcher = "ccache";
    o.cxx.precompiled_header = false;
    o.cxx.cache_dir = tmp_.path() / cache;
    return o;
  };
  {
    hotmod::Runtime rt(opts_in("hotmod-cache-a"));
    hotmod::ReloadStats s = rt.build("cached");
    ASSERT_TRUE(s.success) << s.error << "\n" << s.diagnostics << "\n" << logs_->dump();
    ASSERT_GT(s.stages.build.count(), 0) << "the first build compiles";
  }
  const CcacheStats first = ccache_stats();
  ASSERT_EQ(first.misses(), 1) << "the compile went through ccache and missed its empty cache\n"
                               << first.nonzero() << ccache_log();
  ASSERT_EQ(first.hits(), 0) << first.nonzero();

  // Another cache folder: hotmod's cache misses and compiles again, the
  // same command on the same source, which ccache must answer.
  hotmod::Runtime rt(opts_in("hotmod-cache-b"));
  hotmod::ReloadStats s = rt.build("cached");
  ASSERT_TRUE(s.success) << s.error << "\n" << s.diagnostics << "\n" << logs_->dump();
  ASSERT_GT(s.stages.build.count(), 0) << "hotmod's own cache is another folder: it compiles";
  const CcacheStats second = ccache_stats();
  EXPECT_EQ(second.hits(), 1)
      << "ccache should answer the second compile of the same source and flags from its "
         "cache; its counters and decisions:\n"
      << second.nonzero() << ccache_log();
  EXPECT_EQ(second.misses(), 1) << second.nonzero() << ccache_log();
  EXPECT_EQ(answer(rt, "cached"), 42) << logs_->dump();
}

TEST_F(LauncherTest, CcacheCachesACompileThatUsesThePrecompiledHeader) {
  ASSERT_NO_FATAL_FAILURE(use_own_ccache());
  write("modules/with_pch.cpp", module_text("with_pch", 7));

  // A build cache of this test's own holds the PCH (built once), and both
  // runtimes use it: a PCH rebuilt elsewhere is another file, which no
  // ccache entry can match. Before the second runtime the cache forgets its
  // builds (the PCH stays), so hotmod compiles again with the same command.
  const fs::path hotmod_cache = tmp_.path() / "hotmod-cache";
  hotmod::RuntimeOptions o = dev_options();
  o.cxx.launcher = "ccache";
  o.cxx.precompiled_header = true;
  o.cxx.cache_dir = hotmod_cache;
  {
    // Another module first, without ccache: a runtime finding no PCH
    // compiles the header's text and builds the PCH meanwhile, and waits
    // for that build when it goes.
    write("modules/prime.cpp", module_text("prime", 1));
    hotmod::RuntimeOptions plain = dev_options();
    plain.cxx.precompiled_header = true;
    plain.cxx.cache_dir = hotmod_cache;
    hotmod::Runtime rt(plain);
    ASSERT_TRUE(rt.build("prime").success) << logs_->dump();
  }
  {
    hotmod::Runtime rt(o);
    hotmod::ReloadStats s = rt.build("with_pch");
    ASSERT_TRUE(s.success) << s.error << "\n" << s.diagnostics << "\n" << logs_->dump();
    ASSERT_GT(s.stages.build.count(), 0) << "a new module's first build compiles";
  }
  ASSERT_FALSE(logs_->contains(hotmod::LogLevel::warn, {"without a precompiled header"}))
      << "the PCH must be in use for this test to mean anything\n"
      << logs_->dump();
  const CcacheStats first = ccache_stats();
  ASSERT_EQ(first["could_not_use_precompiled_header"], 0)
      << "ccache refused the PCH user (CCACHE_SLOPPINESS must hold pch_defines,time_macros)\n"
      << first.nonzero() << ccache_log();
  ASSERT_EQ(first.misses(), 1) << "the compile was cacheable and missed the empty cache\n"
                               << first.nonzero() << ccache_log();

  fs::remove_all(hotmod_cache / "v1" / "manifests");
  hotmod::Runtime rt(o);
  hotmod::ReloadStats s = rt.build("with_pch");
  ASSERT_TRUE(s.success) << s.error << "\n" << s.diagnostics << "\n" << logs_->dump();
  ASSERT_GT(s.stages.build.count(), 0) << "no build recorded: hotmod compiles again";
  const CcacheStats second = ccache_stats();
  EXPECT_EQ(second.hits(), 1)
      << "ccache should answer the second compile of the same source, flags and PCH; its "
         "counters and decisions:\n"
      << second.nonzero() << ccache_log();
  EXPECT_EQ(second["could_not_use_precompiled_header"], 0) << second.nonzero() << ccache_log();
  EXPECT_EQ(answer(rt, "with_pch"), 7) << logs_->dump();
}

// A distccd on 127.0.0.1 for one test, logging to a file. Stopped (SIGTERM
// to its process group, then reaped) when destroyed, also when an
// assertion ended the test early.
class Distccd {
 public:
  Distccd(const fs::path& program, const fs::path& log) : log_(log) {
    // A free port is found by binding port 0; another process may take it
    // before distccd binds it, so a distccd that exits at once is retried.
    for (int attempt = 0; attempt < 5 && !child_; ++attempt) {
      port_ = free_port();
      if (port_ == 0) return;
      spawn(program);
      if (!child_) return;
      if (!wait_until([&] { return accepts() || exited(); }, 60s)) {
        ADD_FAILURE() << "distccd does not accept connections on 127.0.0.1:" << port_
                      << " after 60 s; its log:\n"
                      << read_file(log_);
        return;
      }
      if (exited()) {
        why_ += "distccd exited on port " + std::to_string(port_) + ":\n" + read_file(log_);
        child_.reset();
      }
    }
    if (!child_) ADD_FAILURE() << "cannot start distccd: " << why_;
  }
  ~Distccd() {
    if (!child_) return;
    // Its own process group: distccd's preforked workers go with it.
    child_->signal(SIGTERM);
    child_->wait();
  }
  Distccd(const Distccd&) = delete;
  Distccd& operator=(const Distccd&) = delete;

  bool running() const { return child_.has_value(); }
  int port() const { return port_; }
  std::string log() const { return read_file(log_); }

 private:
  static int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    int port = 0;
    if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
      port = ntohs(addr.sin_port);
    else
      ADD_FAILURE() << "cannot find a free port on 127.0.0.1: " << std::strerror(errno);
    if (fd >= 0) ::close(fd);
    return port;
  }

  void spawn(const fs::path& program) {
    const std::string port = std::to_string(port_);
    // --log-stderr into a file this process opens: run as root, distccd
    // switches to an unprivileged user (Debian: "distccd") before it opens
    // a --log-file, which then cannot open a file in a root-owned folder.
    hotmod::process::Command command;
    command.argv = {program.string(), "--daemon",     "--no-detach", "--listen",
                    "127.0.0.1",      "--port",       port,          "--allow",
                    "127.0.0.1",      "--log-stderr", "--log-level", "info"};
    hotmod::process::Streams streams;
    streams.output = hotmod::process::Streams::Output::files;
    streams.stdout_file = log_;
    streams.stderr_file = log_;
    // A process group of its own (the default): distccd signals its whole
    // group when it stops, which must not reach this test.
    hotmod::Result<hotmod::process::Child> child = hotmod::process::Child::spawn(command, streams);
    if (!child.ok()) {
      ADD_FAILURE() << child.error().message;
      return;
    }
    child_.emplace(std::move(child.value()));
  }

  bool accepts() const {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port_));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
  }

  // Reaps distccd when it has exited.
  bool exited() { return child_ && child_->wait_for(0ms).has_value(); }

  fs::path log_;
  std::optional<hotmod::process::Child> child_;
  int port_ = 0;
  std::string why_;
};

TEST_F(LauncherTest, DistccCompilesOnTheDistccdItStarted) {
  const fs::path distccd = require_tool("distccd");
  ASSERT_FALSE(require_tool("distcc").empty());
  ASSERT_FALSE(distccd.empty());
  Distccd server(distccd, tmp_.path() / "distccd.log");
  ASSERT_TRUE(server.running());

  // Only this server; no local fallback or local retry, so a build that
  // succeeds was compiled by it. distcc remembers failing hosts (a
  // back-off period) in DISTCC_DIR: a fresh one per test.
  fs::create_directories(tmp_.path() / "distcc");
  ScopedEnv hosts("DISTCC_HOSTS", "127.0.0.1:" + std::to_string(server.port()) + "/1");
  ScopedEnv fallback("DISTCC_FALLBACK", "0");
  ScopedEnv no_retry("DISTCC_SKIP_LOCAL_RETRY", "1");
  ScopedEnv dir("DISTCC_DIR", (tmp_.path() / "distcc").string());

  const fs::path source = write("modules/remote.cpp", module_text("remote", 42));
  hotmod::RuntimeOptions o = dev_options();
  o.cxx.launcher = "distcc";
  hotmod::Runtime rt(o);
  hotmod::ReloadStats s = rt.build("remote");
  ASSERT_TRUE(s.success) << s.error << "\n"
                         << s.diagnostics << "\n"
                         << logs_->dump() << "\ndistccd's log:\n"
                         << server.log();
  ASSERT_GT(s.stages.build.count(), 0);
  EXPECT_EQ(answer(rt, "remote"), 42) << logs_->dump();

  // distccd writes the job's summary line after it has sent the result.
  auto compiled_remotely = [&] {
    std::istringstream in(server.log());
    for (std::string line; std::getline(in, line);)
      if (line.find("COMPILE_OK") != std::string::npos &&
          line.find(source.string()) != std::string::npos)
        return true;
    return false;
  };
  EXPECT_TRUE(wait_until(compiled_remotely, 30s))
      << "distccd's log has no COMPILE_OK line naming " << source << ":\n"
      << server.log();
}

TEST_F(LauncherTest, AMissingLauncherIsNamed) {
  write("modules/lonely.cpp", module_text("lonely", 1));
  hotmod::RuntimeOptions o = dev_options();
  o.cxx.launcher = "no-such-launcher --with-an-argument";
  hotmod::Runtime rt(o);
  hotmod::ReloadStats s = rt.build("lonely");
  EXPECT_FALSE(s.success);
  EXPECT_EQ(s.failure, hotmod::Failure::build_failed);
  EXPECT_NE(s.error.find("'no-such-launcher'"), std::string::npos) << s.error;
  EXPECT_NE(s.error.find("cxx.launcher"), std::string::npos) << s.error;
}

}  // namespace
}  // namespace hotmod_test
