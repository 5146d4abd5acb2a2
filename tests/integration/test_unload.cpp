// Old images really leave the process, their versioned copies leave the
// disk, and what cannot be unloaded is reported with its likely cause.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "support.hpp"

namespace hotmod_test {
namespace {

class UnloadTest : public RuntimeTest {};

// Field 22 of /proc/<pid>/stat (start time in clock ticks), as the runtime
// names its versions folder "<pid>.<start time>".
std::string start_time(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  std::getline(in, text);
  std::istringstream rest(text.substr(text.rfind(')') + 2));
  std::string field;
  for (int i = 3; i <= 22 && rest >> field; ++i) {
  }
  return field;
}

long finished_child_pid() {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return pid;
}

TEST_F(UnloadTest, OldImageLeavesTheProcessAndTheDisk) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(options());
  hotmod::Module m = load(rt);
  std::vector<fs::path> before = mapped_under(versions());
  ASSERT_EQ(before.size(), 1u);
  const fs::path old_copy = before[0];
  EXPECT_TRUE(fs::exists(old_copy));

  install(fixtures::counter_v2);
  ASSERT_TRUE(rt.reload("counter").success);
  rt.wait_for_unloads();
  EXPECT_FALSE(is_mapped(old_copy)) << old_copy;
  EXPECT_FALSE(fs::exists(old_copy)) << old_copy;
  std::vector<fs::path> after = mapped_under(versions());
  ASSERT_EQ(after.size(), 1u);
  EXPECT_NE(after[0], old_copy);
  EXPECT_EQ(rt.info("counter")->lingering_images, 0u);
  EXPECT_EQ(call_int(m, "version"), 2);
}

TEST_F(UnloadTest, VersionedCopiesNeverPileUp) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(options());
  hotmod::Module m = load(rt);
  for (int i = 0; i < 20; ++i) {
    install(i % 2 == 0 ? fixtures::counter_v2 : fixtures::counter_v1);
    hotmod::ReloadStats s = rt.reload("counter");
    ASSERT_TRUE(s.success) << s.error;
  }
  rt.wait_for_unloads();
  std::vector<fs::path> files = files_under(versions());
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].parent_path().filename().string(),
            std::to_string(::getpid()) + "." + start_time(::getpid()))
      << "one folder per process, named <pid>.<start time>";
  EXPECT_EQ(mapped_under(versions()), files);
  EXPECT_EQ(call_int(m, "version"), 1);
  EXPECT_EQ(rt.info("counter")->reload_count, 20u);
}

TEST_F(UnloadTest, DestroyingTheRuntimeUnloadsEverything) {
  install(fixtures::counter_v1);
  hotmod::Module m;
  hotmod::Ref<counter_fixture::ICounter> ref;
  {
    hotmod::Runtime rt(options());
    m = load(rt);
    ref = rt.ref<counter_fixture::ICounter>("counter").value();
    install(fixtures::counter_v2);
    ASSERT_TRUE(rt.reload("counter").success);
    EXPECT_FALSE(mapped_under(versions()).empty());
  }
  EXPECT_TRUE(mapped_under(tmp_.path()).empty());
  EXPECT_TRUE(files_under(versions()).empty());

  // Handles that outlive the runtime fail cleanly instead of calling into
  // unmapped code.
  hotmod::Result<hotmod::Value> r = m.call("version");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("counter"), std::string::npos) << r.error().message;
  EXPECT_THROW((void)ref->version(), std::runtime_error);
}

TEST_F(UnloadTest, LeftoversOfDeadProcessesAreRemovedAtStart) {
  const long dead = finished_child_pid();
  const long self = ::getpid();
  const fs::path crashed = versions() / (std::to_string(dead) + "." + start_time(self));
  const fs::path reused = versions() / (std::to_string(self) + ".1");  // same pid, other start
  const fs::path alive = versions() / ("1." + start_time(1));
  const fs::path unmarked = versions() / (std::to_string(dead) + ".1");
  const fs::path unrelated = versions() / "notes";
  for (const fs::path& dir : {crashed, reused, alive, unmarked, unrelated})
    write_text(dir / "counter.1.so", "fake versioned copy");
  // The marker hotmod leaves in a process's folder; nobody holds its lock.
  std::string boot;
  std::getline(std::ifstream("/proc/sys/kernel/random/boot_id"), boot);
  auto mark = [&](const fs::path& dir, long pid, const std::string& start) {
    write_text(dir / ".hotmod-process",
               "pid " + std::to_string(pid) + "\nstart " + start + "\nboot " + boot + "\n");
  };
  mark(crashed, dead, start_time(self));
  mark(reused, self, "1");
  mark(alive, 1, start_time(1));
  fs::permissions(versions(), fs::perms::owner_all);  // as hotmod makes it

  install(fixtures::counter_v1);
  hotmod::Runtime rt(options());
  EXPECT_FALSE(fs::exists(crashed)) << "pid " << dead << " no longer runs";
  EXPECT_FALSE(fs::exists(reused)) << "pid reused by a process started at another time";
  EXPECT_TRUE(fs::exists(alive)) << "pid 1 still runs";
  EXPECT_TRUE(fs::exists(unmarked)) << "no marker: not provably hotmod's";
  EXPECT_TRUE(fs::exists(unrelated));
  EXPECT_EQ(call_int(load(rt), "version"), 1);
}

// versions_dir planted as a symlink to someone's folder: nothing there is
// touched, the log says why, and a module fails to load naming the setting.
TEST_F(UnloadTest, AVersionsFolderThatIsASymlinkIsNeitherCleanedNorUsed) {
  const fs::path theirs = tmp_.path() / "their-files";
  const long dead = finished_child_pid();
  const fs::path looks_stale = theirs / (std::to_string(dead) + ".1");
  write_text(looks_stale / "thesis.tex", "years of work");
  write_text(looks_stale / ".hotmod-process", "pid 1\nstart 1\nboot x\n");
  fs::permissions(theirs, fs::perms::owner_all);
  fs::create_directory_symlink(theirs, tmp_.path() / "planted");

  install(fixtures::counter_v1);
  hotmod::RuntimeOptions o = options();
  o.versions_dir = tmp_.path() / "planted";
  hotmod::Runtime rt(o);
  EXPECT_TRUE(fs::exists(looks_stale / "thesis.tex"));
  EXPECT_TRUE(logs_->contains(hotmod::LogLevel::warn, {"planted", "is a symlink"}))
      << logs_->dump();
  hotmod::Result<hotmod::Module> m = rt.module("counter");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("versions_dir"), std::string::npos) << m.error().message;
  std::vector<fs::path> left;
  for (const auto& entry : fs::recursive_directory_iterator(theirs)) left.push_back(entry.path());
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<fs::path>{looks_stale, looks_stale / ".hotmod-process",
                                         looks_stale / "thesis.tex"}))
      << "nothing removed, nothing added";
}

// A thread that calls into a module once, then stays alive until released.
class ParkedThread {
 public:
  explicit ParkedThread(std::function<void()> work)
      : thread_([this, work = std::move(work)] {
          work();
          std::unique_lock lock(mutex_);
          worked_ = true;
          cv_.notify_all();
          cv_.wait(lock, [this] { return released_; });
        }) {}
  ~ParkedThread() { release(); }
  void wait_worked() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [this] { return worked_; });
  }
  void release() {
    {
      std::lock_guard lock(mutex_);
      released_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool worked_ = false;
  bool released_ = false;
  std::thread thread_;  // last: starts once the rest is ready
};

TEST_F(UnloadTest, ThreadLocalThatKeepsAnImageIsReported) {
  install(fixtures::sticky, "sticky.so");
  hotmod::Runtime rt(options());
  EventLog events(rt.bus());
  hotmod::Module m = load(rt, "sticky");
  const fs::path old_copy = mapped_under(versions()).at(0);

  int touched = 0;
  ParkedThread user([&] { touched = call_int(m, "touch"); });
  user.wait_worked();
  EXPECT_EQ(touched, 100);

  ASSERT_TRUE(rt.reload("sticky").success);
  rt.wait_for_unloads();
  EXPECT_TRUE(is_mapped(old_copy)) << "glibc keeps it while the thread lives";
  EXPECT_TRUE(logs_->contains(hotmod::LogLevel::warn, {"sticky", "thread_local"})) << logs_->dump();
  EXPECT_EQ(rt.info("sticky")->lingering_images, 1u);
  auto unloaded = events.payloads("module.unloaded");
  ASSERT_EQ(unloaded.size(), 1u);
  EXPECT_EQ(unloaded[0].value("unloaded", true), false);
  EXPECT_NE(unloaded[0].value("warning", "").find("thread_local"), std::string::npos)
      << unloaded[0].dump();
  user.release();
  // The new version works; a thread that ends frees its thread_local at once.
  std::thread([&] { touched = call_int(m, "touch"); }).join();
  EXPECT_EQ(touched, 100);
}

}  // namespace
}  // namespace hotmod_test
