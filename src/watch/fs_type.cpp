#include "watch/fs_type.hpp"

#include <sys/vfs.h>

#include <cstdint>

namespace hotmod::watch {
namespace {

struct Known {
  std::uint32_t magic;  // statfs f_type, from linux/magic.h and the file systems' sources
  std::string_view name;
};

constexpr Known kUnnotified[] = {
    {0x6969, "NFS"},      {0x517B, "SMB"},    {0xFF534D42, "CIFS"},   {0xFE534D42, "SMB2"},
    {0x65735546, "FUSE"}, {0x01021997, "9p"}, {0x786f4256, "vboxsf"}, {0x00c36400, "Ceph"},
};

}  // namespace

std::optional<std::string_view> unnotified_file_system(const std::string& path) {
  struct statfs fs {};
  if (::statfs(path.c_str(), &fs) != 0) return std::nullopt;
  // f_type is signed on some ABIs: compare its low 32 bits.
  auto magic = static_cast<std::uint32_t>(fs.f_type);
  for (const Known& known : kUnnotified)
    if (known.magic == magic) return known.name;
  return std::nullopt;
}

}  // namespace hotmod::watch
