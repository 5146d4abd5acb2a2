// fork() in a host whose runtime is running (watcher, reload worker,
// reaper): the child may call the modules it has, is refused what would
// wait for the runtime's threads — which stayed in the parent — with an
// error naming the fork, and never hangs, not even destroying the runtime.
#include <sys/wait.h>
#include <unistd.h>

#include <memory>

#include "support.hpp"

namespace hotmod_test {
namespace {

class ForkTest : public RuntimeTest {};

// What the child found, as bits of its exit code (it must not use gtest).
enum ChildFound {
  call_failed = 1,
  reload_not_refused = 2,
  lookup_not_refused = 4,
  sync_waited = 8,
};

int in_child(hotmod::Runtime& rt, hotmod::Module& m) {
  int found = 0;
  hotmod::Result<int> version = m.call_as<int>("version");
  if (!version.ok() || *version != 1) found |= call_failed;
  const hotmod::ReloadStats s = rt.reload("counter");
  if (s.success || s.failure != hotmod::Failure::forked ||
      s.error.find("before a fork()") == std::string::npos)
    found |= reload_not_refused;
  hotmod::Result<hotmod::Module> again = rt.module("counter");
  if (again.ok() || again.error().failure != hotmod::Failure::forked) found |= lookup_not_refused;
  if (rt.sync(std::chrono::seconds(1))) found |= sync_waited;
  return found;
}

TEST_F(ForkTest, AChildCallsModulesIsRefusedReloadsAndNeverHangs) {
  install(fixtures::counter_v1);
  hotmod::RuntimeOptions o = options();
  o.dev_mode = true;  // the watcher and the reload worker run
  auto rt = std::make_unique<hotmod::Runtime>(o);
  hotmod::Module m = load(*rt);
  ASSERT_TRUE(rt->watching().has_value()) << logs_->dump();
  ASSERT_EQ(call_int(m, "version"), 1);

  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const int found = in_child(*rt, m);
    rt.reset();  // the destructor must not wait for the parent's threads
    ::_exit(found);
  }
  int status = 0;
  const bool ended = wait_until([&] { return ::waitpid(child, &status, WNOHANG) == child; },
                                std::chrono::seconds(30));
  if (!ended) {
    ::kill(child, SIGKILL);
    ::waitpid(child, &status, 0);
  }
  ASSERT_TRUE(ended) << "the child hung";
  ASSERT_TRUE(WIFEXITED(status)) << "the child died of signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status) & call_failed, 0) << "a module call failed in the child";
  EXPECT_EQ(WEXITSTATUS(status) & reload_not_refused, 0);
  EXPECT_EQ(WEXITSTATUS(status) & lookup_not_refused, 0);
  EXPECT_EQ(WEXITSTATUS(status) & sync_waited, 0);

  // The parent's runtime goes on as before.
  install(fixtures::counter_v2);
  const hotmod::ReloadStats s = rt->reload("counter");
  EXPECT_TRUE(s.success) << s.error;
  EXPECT_EQ(call_int(m, "version"), 2);
}

}  // namespace
}  // namespace hotmod_test
