// loader/file_snapshot: what read_file records, and every way file_changed
// must notice a change, including a rewrite the stat identity cannot see.
#include "loader/file_snapshot.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <string>

#include <gtest/gtest.h>

#include "temp_dir.hpp"

namespace hotmod::loader {
namespace {

using hotmod_unit::TempDir;
using hotmod_unit::write_file;
using namespace std::chrono_literals;

struct timespec mtime_of(const std::filesystem::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mtim;
}

void set_mtime(const std::filesystem::path& p, struct timespec mtime) {
  const struct timespec times[2] = {{0, UTIME_OMIT}, mtime};
  ASSERT_EQ(::utimensat(AT_FDCWD, p.c_str(), times, 0), 0) << p;
}

// Moves the file's mtime `age` into the past.
void age_file(const std::filesystem::path& p, std::chrono::seconds age) {
  struct timespec t = mtime_of(p);
  t.tv_sec -= static_cast<time_t>(age.count());
  set_mtime(p, t);
}

FileSnapshot snapshot(const std::filesystem::path& p) {
  Result<FileSnapshot> s = read_file(p);
  EXPECT_TRUE(s.ok()) << s.error().message;
  return s.ok() ? std::move(s).value() : FileSnapshot{};
}

TEST(FileSnapshot, ReadFileRecordsBytesIdentityAndHash) {
  TempDir dir;
  const auto file = dir / "m.so";
  write_file(file, "hello, module");
  const FileSnapshot s = snapshot(file);

  EXPECT_EQ(std::string(s.bytes.begin(), s.bytes.end()), "hello, module");
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(s.identity.inode, st.st_ino);
  EXPECT_EQ(s.identity.device, st.st_dev);
  EXPECT_EQ(s.identity.size, 13u);
  EXPECT_EQ(s.identity.mtime_ns, st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec);
  Result<FileIdentity> now = stat_identity(file);
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(*now, s.identity);
  // Just written, so within the racy window: the hash is taken.
  EXPECT_EQ(s.content_hash, hash_bytes(s.bytes.data(), s.bytes.size()));
  EXPECT_GT(s.read_at_ns, 0);
}

TEST(FileSnapshot, AMappedReadHoldsWhatACopiedReadHolds) {
  TempDir dir;
  const auto file = dir / "m.so";
  // Below and above FileBytes::kMapFrom: copied to the heap, or to a mapping.
  for (const std::size_t size : {std::size_t{20000}, FileBytes::kMapFrom * 3}) {
    std::string text;
    for (std::size_t i = 0; i < size; ++i) text += static_cast<char>('a' + i % 26);
    write_file(file, text);
    const FileSnapshot copied = snapshot(file);
    Result<FileSnapshot> mapped = read_file(file, Reading::map);
    ASSERT_TRUE(mapped.ok()) << mapped.error().message;
    EXPECT_EQ(std::string(mapped->bytes.begin(), mapped->bytes.end()), text);
    EXPECT_EQ(std::string(copied.bytes.begin(), copied.bytes.end()), text);
    EXPECT_EQ(mapped->identity, copied.identity);
    EXPECT_EQ(mapped->content_hash, copied.content_hash);
    // Moved, the bytes go along; the record keeps all but them.
    FileSnapshot moved = std::move(mapped.value());
    EXPECT_EQ(moved.bytes.size(), text.size());
    const FileSnapshot record = moved.record();
    EXPECT_TRUE(record.bytes.empty());
    EXPECT_EQ(record.identity, copied.identity);
    EXPECT_EQ(record.content_hash, copied.content_hash);
  }
}

TEST(FileSnapshot, AnEmptyFileReadsAsNoBytesEitherWay) {
  TempDir dir;
  write_file(dir / "empty.so", "");
  for (Reading how : {Reading::copy, Reading::map}) {
    Result<FileSnapshot> s = read_file(dir / "empty.so", how);
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_TRUE(s->bytes.empty());
    EXPECT_EQ(s->identity.size, 0u);
  }
}

TEST(FileSnapshot, MissingFileIsAnErrorNamingIt) {
  TempDir dir;
  Result<FileSnapshot> s = read_file(dir / "gone.so");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("cannot open '" + (dir / "gone.so").string() + "'"),
            std::string::npos)
      << s.error().message;
  EXPECT_FALSE(stat_identity(dir / "gone.so").ok());
}

TEST(FileSnapshot, HashDependsOnEveryByteAndTheLength) {
  const unsigned char a[] = "0123456789abcdef-tail";
  unsigned char b[sizeof a];
  std::copy(std::begin(a), std::end(a), std::begin(b));
  EXPECT_EQ(hash_bytes(a, sizeof a), hash_bytes(b, sizeof b));
  b[3] ^= 1;  // inside a whole 8-byte word
  EXPECT_NE(hash_bytes(a, sizeof a), hash_bytes(b, sizeof b));
  b[3] ^= 1;
  b[sizeof b - 2] ^= 1;  // in the tail
  EXPECT_NE(hash_bytes(a, sizeof a), hash_bytes(b, sizeof b));
  const unsigned char zeros[16] = {};
  EXPECT_NE(hash_bytes(zeros, 8), hash_bytes(zeros, 16));
}

TEST(FileSnapshot, UnchangedFileIsUnchanged) {
  TempDir dir;
  const auto file = dir / "m.so";
  write_file(file, "version 1");
  const FileSnapshot fresh = snapshot(file);
  EXPECT_FALSE(file_changed(file, fresh));  // racy: decided by the hash

  age_file(file, 1h);
  const FileSnapshot old = snapshot(file);
  EXPECT_FALSE(file_changed(file, old));  // decided by the identity alone
}

TEST(FileSnapshot, InPlaceRewriteWithSameSizeAndMtimeIsChangedByHash) {
  TempDir dir;
  const auto file = dir / "m.so";
  write_file(file, "version 1");
  const struct timespec written = mtime_of(file);
  const FileSnapshot seen = snapshot(file);

  write_file(file, "version 2");  // same inode, same size
  set_mtime(file, written);       // same tick of a coarse clock
  Result<FileIdentity> now = stat_identity(file);
  ASSERT_TRUE(now.ok());
  ASSERT_EQ(*now, seen.identity) << "the stat identity must not show the rewrite";
  EXPECT_TRUE(file_changed(file, seen));
}

TEST(FileSnapshot, RenamedOverIsChanged) {
  TempDir dir;
  const auto file = dir / "m.so";
  write_file(file, "version 1");
  const struct timespec written = mtime_of(file);
  const FileSnapshot seen = snapshot(file);

  write_file(dir / "m.so.tmp", "version 1");  // even the same bytes: a new file
  set_mtime(dir / "m.so.tmp", written);
  std::filesystem::rename(dir / "m.so.tmp", file);
  EXPECT_TRUE(file_changed(file, seen));
}

TEST(FileSnapshot, DeletedOrResizedIsChanged) {
  TempDir dir;
  const auto file = dir / "m.so";
  write_file(file, "version 1");
  const FileSnapshot seen = snapshot(file);

  write_file(file, "version 10");
  EXPECT_TRUE(file_changed(file, seen));
  std::filesystem::remove(file);
  EXPECT_TRUE(file_changed(file, seen));
}

TEST(FileSnapshot, FileSettlesOnceQuietLongEnough) {
  TempDir dir;
  const auto file = dir / "m.so";
  write_file(file, "being written");
  EXPECT_FALSE(file_settled(file, 1h));
  age_file(file, 10s);
  EXPECT_TRUE(file_settled(file, 1s));
  EXPECT_FALSE(file_settled(file, 1min));
  EXPECT_FALSE(file_settled(dir / "missing.so", 0s));
}

}  // namespace
}  // namespace hotmod::loader
