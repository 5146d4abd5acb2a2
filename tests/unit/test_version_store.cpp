// loader/version_store: where versioned copies go, what a failed write says,
// and which leftover folders remove_stale() deletes (dead processes, reused
// pids) and which it keeps (live processes, its own, anything not its own).
#include "loader/version_store.hpp"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "printers.hpp"
#include "temp_dir.hpp"

namespace hotmod::loader {
namespace {

namespace fs = std::filesystem;
using hotmod_unit::read_bytes;
using hotmod_unit::TempDir;
using hotmod_unit::write_file;

// Field 22 of /proc/<pid>/stat, read here independently of the code under test.
std::string start_time_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  std::getline(in, text);
  std::istringstream rest(text.substr(text.rfind(')') + 2));
  std::string field;
  for (int i = 3; i <= 22; ++i) rest >> field;
  return field;
}

// A child process that runs until this object is destroyed.
class LiveChild {
 public:
  LiveChild() {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe");
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(fds[1]);
      char c;
      while (::read(fds[0], &c, 1) > 0) {
      }
      ::_exit(0);
    }
    ::close(fds[0]);
    release_fd_ = fds[1];
  }
  ~LiveChild() {
    ::close(release_fd_);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  LiveChild(const LiveChild&) = delete;
  LiveChild& operator=(const LiveChild&) = delete;
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int release_fd_ = -1;
};

// The folder name a process that has exited (and been reaped) would have left.
std::string dead_process_folder() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  const std::string started = start_time_of(pid);  // a zombie until reaped
  int status = 0;
  ::waitpid(pid, &status, 0);
  return std::to_string(pid) + "." + started;
}

TEST(VersionStore, FolderIsNamedByPidAndStartTime) {
  TempDir dir;
  VersionStore store(dir.path());
  EXPECT_EQ(store.root(), dir.path());
  EXPECT_EQ(store.folder(), dir / (std::to_string(::getpid()) + "." + start_time_of(::getpid())));
  EXPECT_FALSE(fs::exists(store.folder())) << "created only when a copy is written";
}

TEST(VersionStore, EmptyRootMeansTmpdir) {
  TempDir dir;
  const char* was = std::getenv("TMPDIR");
  const std::string saved = was != nullptr ? was : "";
  ASSERT_EQ(::setenv("TMPDIR", dir.path().c_str(), 1), 0);
  const fs::path root = VersionStore({}).root();
  if (was != nullptr)
    ::setenv("TMPDIR", saved.c_str(), 1);
  else
    ::unsetenv("TMPDIR");
  EXPECT_EQ(root.parent_path(), dir.path());
  EXPECT_TRUE(root.filename().string().starts_with("hotmod-versions")) << root;
}

TEST(VersionStore, WriteAndRemoveAVersionedCopy) {
  TempDir dir;
  VersionStore store(dir.path());
  const std::vector<unsigned char> bytes = {0x7f, 'E', 'L', 'F', 1, 2, 3};
  fs::path copy;
  Error f;
  ASSERT_TRUE(store.write("tools.math", 3, bytes, &copy, &f)) << f.message;
  EXPECT_EQ(copy, store.folder() / "tools.math.3.so");
  EXPECT_EQ(read_bytes(copy), bytes);
  struct stat st {};
  ASSERT_EQ(::stat(copy.c_str(), &st), 0);
  EXPECT_NE(st.st_mode & S_IXUSR, 0u) << "dlopen needs an executable mapping";

  store.remove(copy);
  EXPECT_FALSE(fs::exists(copy));
  store.remove(copy);  // already gone: ignored
}

TEST(VersionStore, UnusableRootIsAnIoErrorNamingItAndTheFix) {
  TempDir dir;
  write_file(dir / "a-file", "not a folder");
  VersionStore store(dir / "a-file");
  fs::path copy;
  Error f;
  EXPECT_FALSE(store.write("m", 1, std::vector<unsigned char>(10), &copy, &f));
  EXPECT_EQ(f.stage, Stage::copy);
  EXPECT_EQ(f.failure, Failure::io_error);
  EXPECT_NE(f.message.find("'" + (dir / "a-file").string()), std::string::npos) << f.message;
  EXPECT_NE(f.message.find("RuntimeOptions::versions_dir"), std::string::npos) << f.message;
}

TEST(VersionStore, PrivateSubfolderIsCreatedLikeTheFolderAndChecked) {
  TempDir dir;
  VersionStore store(dir.path());
  Result<fs::path> sync = store.private_subfolder("sync-1");
  ASSERT_TRUE(sync.ok()) << sync.error().message;
  EXPECT_EQ(sync.value(), store.folder() / "sync-1");
  struct stat st {};
  ASSERT_EQ(::stat(sync.value().c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_TRUE(store.private_subfolder("sync-1").ok()) << "an existing one is fine";

  write_file(store.folder() / "blocked", "a file where the folder goes");
  Result<fs::path> blocked = store.private_subfolder("blocked");
  ASSERT_FALSE(blocked.ok());
  EXPECT_NE(blocked.error().message.find("is not a folder"), std::string::npos)
      << blocked.error().message;
}

TEST(VersionStore, RemoveStaleRemovesOnlyFoldersOfDeadProcesses) {
  TempDir dir;
  VersionStore store(dir.path());
  fs::path own;
  Error f;
  ASSERT_TRUE(store.write("m", 1, std::vector<unsigned char>(4), &own, &f)) << f.message;

  LiveChild child;
  const std::string dead = dead_process_folder();
  const std::string live = std::to_string(child.pid()) + "." + start_time_of(child.pid());
  const std::string reused = std::to_string(child.pid()) + ".1";  // same pid, earlier process
  for (const std::string& name : {dead, live, reused}) write_file(dir / name / "m.1.so", "x");
  const std::vector<std::string> unrelated = {"notes", "readme.txt", "123", ".5.1",
                                              "0.1",   "12abc.3",    "-4.1"};
  for (const std::string& name : unrelated) fs::create_directories(dir / name);

  EXPECT_EQ(store.remove_stale(), 2u);
  EXPECT_FALSE(fs::exists(dir / dead));
  EXPECT_FALSE(fs::exists(dir / reused));
  EXPECT_TRUE(fs::exists(dir / live / "m.1.so"));
  EXPECT_TRUE(fs::exists(own));
  for (const std::string& name : unrelated) EXPECT_TRUE(fs::exists(dir / name)) << name;
}

TEST(VersionStore, RemoveStaleOfMissingRootRemovesNothing) {
  TempDir dir;
  EXPECT_EQ(VersionStore(dir / "never-created").remove_stale(), 0u);
}

}  // namespace
}  // namespace hotmod::loader
