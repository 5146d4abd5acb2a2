// loader/version_store: where versioned copies go, what a failed write says,
// which roots it refuses before touching anything, and which leftover
// folders remove_stale() deletes (those whose marker no process holds) and
// which it keeps (live processes in any pid namespace, its own, folders
// without a marker, links, anything not its own).
#include "loader/version_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
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

// A child process that runs `setup` (true: ready), then keeps running until
// this object is destroyed.
class LiveChild {
 public:
  explicit LiveChild(const std::function<bool()>& setup = [] { return true; }) {
    int ready[2], release[2];
    if (::pipe(ready) != 0 || ::pipe(release) != 0) throw std::runtime_error("pipe");
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(ready[0]);
      ::close(release[1]);
      const char ok = setup() ? '1' : '0';
      if (::write(ready[1], &ok, 1) != 1) ::_exit(1);
      char c;
      while (::read(release[0], &c, 1) > 0) {
      }
      ::_exit(0);
    }
    ::close(ready[1]);
    ::close(release[0]);
    release_fd_ = release[1];
    char ok = '0';
    const bool told = ::read(ready[0], &ok, 1) == 1;
    ::close(ready[0]);
    if (!told || ok != '1') throw std::runtime_error("the child's setup failed");
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

// A process's folder as a store leaves it: a copy and the marker naming it.
void leave_folder(const fs::path& folder, const std::string& pid, const std::string& start) {
  write_file(folder / "m.1.so", "x");
  write_file(folder / ".hotmod-process", "pid " + pid + "\nstart " + start + "\nboot x\n");
}

// A child process whose VersionStore wrote one copy and holds its folder's
// marker until this object is destroyed.
class LiveStore {
 public:
  explicit LiveStore(const fs::path& root)
      : child_([root] {
          auto* store = new VersionStore(root);  // kept: the child ends with _exit
          fs::path copy;
          Error f;
          return store->write("m", 1, std::vector<unsigned char>(4), &copy, &f);
        }),
        folder_(root / (std::to_string(child_.pid()) + "." + start_time_of(child_.pid()))) {}
  const fs::path& folder() const { return folder_; }

 private:
  LiveChild child_;
  fs::path folder_;
};

TEST(VersionStore, RemoveStaleRemovesOnlyFoldersWhoseMarkerNoProcessHolds) {
  TempDir dir;
  VersionStore store(dir.path());
  fs::path own;
  Error f;
  ASSERT_TRUE(store.write("m", 1, std::vector<unsigned char>(4), &own, &f)) << f.message;

  LiveStore live(dir.path());
  LiveChild child;
  const std::string dead = dead_process_folder();
  const std::string reused = std::to_string(child.pid()) + ".1";  // same pid, earlier process
  leave_folder(dir / dead, dead.substr(0, dead.find('.')), dead.substr(dead.find('.') + 1));
  leave_folder(dir / reused, std::to_string(child.pid()), "1");
  // A process of another pid namespace (a container sharing /tmp): its pid
  // means nothing here, but it holds its marker.
  const std::string elsewhere = dead_process_folder();
  leave_folder(dir / elsewhere, "1", "1");
  const int held = ::open((dir / elsewhere / ".hotmod-process").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(held, 0);
  ASSERT_EQ(::flock(held, LOCK_SH), 0);
  // A process that runs, named in a marker of this boot that happens to be
  // free (flock a no-op where the folder is): its pid and start time keep it.
  std::string boot;
  std::getline(std::ifstream("/proc/sys/kernel/random/boot_id"), boot);
  const std::string running = std::to_string(child.pid()) + "." + start_time_of(child.pid());
  write_file(dir / running / "m.1.so", "x");
  write_file(dir / running / ".hotmod-process", "pid " + std::to_string(child.pid()) + "\nstart " +
                                                    start_time_of(child.pid()) + "\nboot " + boot +
                                                    "\n");
  // An earlier hotmod's folder, or anyone's, without the marker: not provably ours.
  const std::string unmarked = dead_process_folder();
  write_file(dir / unmarked / "m.1.so", "x");
  // A link named like a process's folder, to a folder of someone's files.
  TempDir elsewhere_files;
  write_file(elsewhere_files / "thesis.tex", "years of work");
  write_file(elsewhere_files / ".hotmod-process", "pid 1\nstart 1\nboot x\n");
  const std::string linked = dead_process_folder();
  fs::create_directory_symlink(elsewhere_files.path(), dir / linked);
  const std::vector<std::string> unrelated = {"notes", "readme.txt", "123",  ".5.1",
                                              "0.1",   "12abc.3",    "-4.1", "12.3x"};
  for (const std::string& name : unrelated) fs::create_directories(dir / name);

  const VersionStore::Cleanup cleanup = store.remove_stale();
  EXPECT_EQ(cleanup.problem, "");
  EXPECT_EQ(cleanup.removed, 2u);
  EXPECT_FALSE(fs::exists(dir / dead));
  EXPECT_FALSE(fs::exists(dir / reused));
  EXPECT_TRUE(fs::exists(live.folder() / "m.1.so")) << "a live process's folder";
  EXPECT_TRUE(fs::exists(dir / elsewhere / "m.1.so")) << "a held marker";
  EXPECT_TRUE(fs::exists(dir / running / "m.1.so")) << "its process runs";
  EXPECT_TRUE(fs::exists(dir / unmarked / "m.1.so")) << "no marker";
  EXPECT_TRUE(fs::exists(elsewhere_files / "thesis.tex")) << "through a link";
  EXPECT_TRUE(fs::is_symlink(dir / linked));
  EXPECT_TRUE(fs::exists(own));
  for (const std::string& name : unrelated) EXPECT_TRUE(fs::exists(dir / name)) << name;
  ::close(held);
}

TEST(VersionStore, RemoveStaleOfMissingRootRemovesNothing) {
  TempDir dir;
  const VersionStore::Cleanup cleanup = VersionStore(dir / "never-created").remove_stale();
  EXPECT_EQ(cleanup.removed, 0u);
  EXPECT_EQ(cleanup.problem, "");
}

// A root that is a symlink, open to others or another user's is refused
// before anything in it is touched: every file there is still there after.
TEST(VersionStore, ARootThatFailsItsChecksIsNeitherCleanedNorUsed) {
  TempDir dir;
  const std::string dead = dead_process_folder();
  leave_folder(dir / "target" / dead, "1", "1");
  fs::permissions(dir / "target", fs::perms::owner_all);
  fs::create_directory_symlink(dir / "target", dir / "link");

  VersionStore through_link(dir / "link");
  VersionStore::Cleanup cleanup = through_link.remove_stale();
  EXPECT_EQ(cleanup.removed, 0u);
  EXPECT_NE(cleanup.problem.find("is a symlink"), std::string::npos) << cleanup.problem;
  EXPECT_TRUE(fs::exists(dir / "target" / dead / "m.1.so"));
  fs::path copy;
  Error f;
  EXPECT_FALSE(through_link.write("m", 1, std::vector<unsigned char>(4), &copy, &f));
  EXPECT_NE(f.message.find("is a symlink"), std::string::npos) << f.message;
  EXPECT_NE(f.message.find("versions_dir"), std::string::npos) << f.message;

  fs::permissions(dir / "target", fs::perms::owner_all | fs::perms::group_read |
                                      fs::perms::group_exec | fs::perms::others_read |
                                      fs::perms::others_exec);
  VersionStore open_to_others(dir / "target");
  cleanup = open_to_others.remove_stale();
  EXPECT_EQ(cleanup.removed, 0u);
  EXPECT_NE(cleanup.problem.find("chmod 700 '" + (dir / "target").string() + "'"),
            std::string::npos)
      << cleanup.problem;
  EXPECT_TRUE(fs::exists(dir / "target" / dead / "m.1.so"));
  EXPECT_FALSE(open_to_others.write("m", 1, std::vector<unsigned char>(4), &copy, &f));
  EXPECT_NE(f.message.find("chmod 700"), std::string::npos) << f.message;
}

TEST(VersionStore, RootProblemsNameTheCauseAndTheFix) {
  struct stat st {};
  st.st_mode = S_IFDIR | 0700;
  st.st_uid = ::getuid();
  EXPECT_EQ(versions_root_problem("/v", st, false), "");
  EXPECT_NE(versions_root_problem("/v", st, true).find("'/v' is on a file system mounted noexec"),
            std::string::npos);
  struct stat other = st;
  other.st_uid = ::getuid() + 1;
  EXPECT_NE(versions_root_problem("/v", other, false).find("belongs to another user"),
            std::string::npos);
  struct stat group = st;
  group.st_mode = S_IFDIR | 0770;
  EXPECT_NE(versions_root_problem("/v", group, false).find("mode 770"), std::string::npos);
  struct stat link = st;
  link.st_mode = S_IFLNK | 0777;
  EXPECT_NE(versions_root_problem("/v", link, false).find("symlink"), std::string::npos);
  struct stat file = st;
  file.st_mode = S_IFREG | 0600;
  EXPECT_NE(versions_root_problem("/v", file, false).find("not a folder"), std::string::npos);
}

// Whether some process (this one included) holds `folder`'s marker: an
// exclusive lock on a new descriptor would fail.
bool marker_held(const fs::path& folder) {
  const int fd = ::open((folder / ".hotmod-process").c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return false;
  const bool held = ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);
  return held;
}

TEST(VersionStore, AFolderRemovedUnderARunningProcessIsMadeAgain) {
  TempDir dir;
  VersionStore store(dir.path());
  fs::path copy;
  Error f;
  ASSERT_TRUE(store.write("m", 1, std::vector<unsigned char>(4), &copy, &f)) << f.message;
  EXPECT_TRUE(marker_held(store.folder()));
  fs::remove_all(store.folder());  // a /tmp cleaner
  ASSERT_TRUE(store.write("m", 2, std::vector<unsigned char>(4), &copy, &f)) << f.message;
  EXPECT_TRUE(fs::exists(copy));
  EXPECT_TRUE(marker_held(store.folder())) << "marked and held again";
}

// Two runtimes of one process, the folder removed under both: the one that
// makes it again locks it for both, and it stays locked until the last
// lets go.
TEST(VersionStore, AFolderMadeAgainIsHeldForEveryStoreUsingIt) {
  TempDir dir;
  auto first = std::make_unique<VersionStore>(dir.path());
  VersionStore second(dir.path());
  fs::path a, b;
  Error f;
  ASSERT_TRUE(first->write("a", 1, std::vector<unsigned char>(4), &a, &f)) << f.message;
  ASSERT_TRUE(second.write("b", 1, std::vector<unsigned char>(4), &b, &f)) << f.message;
  fs::remove_all(first->folder());
  ASSERT_TRUE(first->write("a", 2, std::vector<unsigned char>(4), &a, &f)) << f.message;
  first.reset();
  EXPECT_TRUE(marker_held(second.folder())) << "the second store still uses it";
  ASSERT_TRUE(second.write("b", 2, std::vector<unsigned char>(4), &b, &f)) << f.message;
  EXPECT_TRUE(fs::exists(b));
}

// Runtimes of one process share its folder: it goes with the last of them.
TEST(VersionStore, TheFolderGoesWhenTheLastStoreHoldingItLetsGo) {
  TempDir dir;
  auto first = std::make_unique<VersionStore>(dir.path());
  auto second = std::make_unique<VersionStore>(dir.path());
  fs::path a, b;
  Error f;
  ASSERT_TRUE(first->write("a", 1, std::vector<unsigned char>(4), &a, &f)) << f.message;
  ASSERT_TRUE(second->write("b", 1, std::vector<unsigned char>(4), &b, &f)) << f.message;
  first->remove(a);
  second->remove(b);
  const fs::path folder = first->folder();
  first.reset();
  EXPECT_TRUE(fs::exists(folder / ".hotmod-process")) << "the second still holds it";
  second.reset();
  EXPECT_FALSE(fs::exists(folder));
}

}  // namespace
}  // namespace hotmod::loader
