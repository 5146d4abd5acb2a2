// loader/trust: production loads a module only when it and every folder
// above it can be changed by nobody but this user or root, and says which
// path is at fault and the chmod or chown that fixes it.
#include "loader/trust.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "temp_dir.hpp"

namespace hotmod::loader {
namespace {

namespace fs = std::filesystem;
using hotmod_unit::TempDir;
using hotmod_unit::write_file;

class Trust : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_ / "mods");
    write_file(dir_ / "mods/net.so", "x");
    fs::permissions(dir_ / "mods", fs::perms(0755));
    fs::permissions(dir_ / "mods/net.so", fs::perms(0755));
  }
  std::string why(const fs::path& file) const { return untrusted_because(file, self_); }

  TempDir dir_;
  uid_t self_ = ::getuid();
};

TEST_F(Trust, AModuleOnlyItsOwnerCanChangeIsTrusted) {
  EXPECT_EQ(why(dir_ / "mods/net.so"), "") << "and /tmp above it is sticky";
}

TEST_F(Trust, AFileOthersMayWriteIsNotAndTheChmodIsNamed) {
  const std::string file = fs::canonical(dir_ / "mods/net.so").string();
  fs::permissions(dir_ / "mods/net.so", fs::perms(0757));
  EXPECT_EQ(why(dir_ / "mods/net.so"),
            "'" + file + "' can be written by anyone (mode 757); " + "chmod go-w '" + file + "'");
}

// A group's write permission lets its other members in; the user's own
// group with nobody else in it (a user private group) lets no one in.
TEST_F(Trust, AFileItsGroupMayWriteIsNotUnlessTheGroupIsTheUsersOwn) {
  const fs::path net = dir_ / "mods/net.so";
  const std::string file = fs::canonical(net).string();
  fs::permissions(net, fs::perms(0775));
  const group* own = ::getgrgid(::getgid());
  ASSERT_NE(own, nullptr);
  const bool own_is_private =
      own->gr_mem == nullptr || own->gr_mem[0] == nullptr ||
      (std::string(own->gr_mem[0]) == ::getpwuid(self_)->pw_name && own->gr_mem[1] == nullptr);
  EXPECT_EQ(why(net) == "", own_is_private) << why(net);
  if (::getuid() == 0) {  // only root can give a file to another group
    ASSERT_EQ(::chown(net.c_str(), static_cast<uid_t>(-1), 65534), 0);
    EXPECT_EQ(why(net),
              "'" + file + "' can be written by its group (mode 775); chmod go-w '" + file + "'");
  }
}

TEST_F(Trust, AFolderAboveItOthersMayWriteIsNotUnlessSticky) {
  fs::permissions(dir_ / "mods", fs::perms(0777));
  EXPECT_NE(why(dir_ / "mods/net.so")
                .find("'" + fs::canonical(dir_ / "mods").string() + "' can be written"),
            std::string::npos)
      << why(dir_ / "mods/net.so");
  fs::permissions(dir_ / "mods", fs::perms(01777));
  EXPECT_EQ(why(dir_ / "mods/net.so"), "") << "others cannot rename what is not theirs";
}

TEST_F(Trust, ASymlinkIsJudgedByWhatItPointsTo) {
  fs::create_directories(dir_ / "shared");
  write_file(dir_ / "shared/real.so", "x");
  fs::permissions(dir_ / "shared", fs::perms(0777));
  fs::create_symlink(dir_ / "shared/real.so", dir_ / "mods/link.so");
  EXPECT_NE(why(dir_ / "mods/link.so").find("'" + fs::canonical(dir_ / "shared").string() + "'"),
            std::string::npos)
      << why(dir_ / "mods/link.so");
}

// Root's files are trusted, so the file is given away (as root) or this
// process poses as another user.
TEST_F(Trust, AnotherUsersFileIsNotAndTheChownIsNamed) {
  uid_t owner = self_;
  if (self_ == 0) {
    owner = 65534;
    ASSERT_EQ(::chown((dir_ / "mods/net.so").c_str(), owner, static_cast<gid_t>(-1)), 0);
  } else {
    self_ = self_ + 1;
  }
  const std::string problem = why(dir_ / "mods/net.so");
  EXPECT_NE(problem.find("'" + fs::canonical(dir_ / "mods/net.so").string() + "' belongs to uid " +
                         std::to_string(owner) + ", not to this user (uid " +
                         std::to_string(self_) + ") or root; chown " + std::to_string(self_)),
            std::string::npos)
      << problem;
}

TEST_F(Trust, AMissingFileSaysSo) {
  EXPECT_NE(why(dir_ / "mods/gone.so").find("cannot resolve"), std::string::npos);
}

}  // namespace
}  // namespace hotmod::loader
