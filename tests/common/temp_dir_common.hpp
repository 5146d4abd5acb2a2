// temp_dir_common.hpp — a fresh folder per test (mkdtemp under $TMPDIR or /tmp),
// removed with everything in it when destroyed. Shared by the unit and the
// integration tests.
#pragma once

#include <filesystem>
#include <string>

namespace hotmod_test {

class TempDir {
 public:
  // `prefix` names the folder, e.g. "hotmod-unit" -> /tmp/hotmod-unit-Ab12Cd.
  explicit TempDir(const std::string& prefix = "hotmod-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Canonical, so paths compare equal to what /proc/self/maps shows.
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::filesystem::path& rel) const { return path_ / rel; }

 private:
  std::filesystem::path path_;
};

}  // namespace hotmod_test
