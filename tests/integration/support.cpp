#include "support.hpp"

#include <elf.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <thread>

namespace hotmod_test {
namespace {

std::vector<char> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::vector<char> bytes(static_cast<std::size_t>(fs::file_size(path)));
  if (!in.read(bytes.data(), static_cast<std::streamsize>(bytes.size())))
    throw std::runtime_error("cannot read " + path.string());
  return bytes;
}

void write_bytes(const fs::path& to, const char* data, std::size_t size, int flags) {
  fs::create_directories(to.parent_path());
  int fd = ::open(to.c_str(), flags | O_WRONLY | O_CLOEXEC, 0755);
  if (fd < 0) throw std::runtime_error("cannot open " + to.string() + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < size) {
    ssize_t n = ::write(fd, data + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      throw std::runtime_error("cannot write " + to.string());
    }
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
}

void write_atomic(const fs::path& to, const char* data, std::size_t size) {
  fs::path tmp = to;
  tmp += ".tmp-" + std::to_string(::getpid());
  write_bytes(tmp, data, size, O_CREAT | O_TRUNC | O_EXCL);
  fs::rename(tmp, to);
}

}  // namespace

void install_atomic(const fs::path& from, const fs::path& to) {
  std::vector<char> bytes = read_bytes(from);
  write_atomic(to, bytes.data(), bytes.size());
}

void install_in_place(const fs::path& from, const fs::path& to) {
  std::vector<char> bytes = read_bytes(from);
  write_bytes(to, bytes.data(), bytes.size(), O_CREAT | O_TRUNC);
}

void install_truncated(const fs::path& from, const fs::path& to, std::size_t size) {
  std::vector<char> bytes = read_bytes(from);
  if (size > bytes.size()) throw std::runtime_error("cannot cut " + from.string() + " longer");
  write_atomic(to, bytes.data(), size);
}

void install_padded(const fs::path& from, const fs::path& to, std::size_t size) {
  std::vector<char> bytes = read_bytes(from);
  if (size < bytes.size()) throw std::runtime_error("cannot pad " + from.string() + " shorter");
  bytes.resize(size, '\0');
  write_atomic(to, bytes.data(), bytes.size());
}

void write_text(const fs::path& to, std::string_view text) {
  write_atomic(to, text.data(), text.size());
}

std::size_t file_size(const fs::path& path) {
  return static_cast<std::size_t>(fs::file_size(path));
}

std::size_t section_headers_offset(const fs::path& elf) {
  std::vector<char> bytes = read_bytes(elf);
  Elf64_Ehdr header;
  if (bytes.size() < sizeof header) throw std::runtime_error(elf.string() + ": too short");
  std::memcpy(&header, bytes.data(), sizeof header);
  if (std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 || header.e_ident[EI_CLASS] != ELFCLASS64)
    throw std::runtime_error(elf.string() + ": not an ELF64 file");
  return static_cast<std::size_t>(header.e_shoff);
}

std::vector<fs::path> files_under(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    // A versions folder's marker is not a copy.
    if (it->is_regular_file(ec) && it->path().filename() != ".hotmod-process")
      out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<fs::path> mapped_under(const fs::path& dir) {
  std::ifstream maps("/proc/self/maps");
  std::vector<fs::path> out;
  const std::string prefix = dir.string() + "/";
  std::string line;
  while (std::getline(maps, line)) {
    std::size_t at = line.find(prefix);
    if (at == std::string::npos) continue;
    fs::path p = line.substr(at);
    if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool is_mapped(const fs::path& file) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    // The path is the last field; " (deleted)" follows it when unlinked.
    std::size_t at = line.find(file.string());
    if (at == std::string::npos) continue;
    std::string_view rest = std::string_view(line).substr(at + file.string().size());
    if (rest.empty() || rest == " (deleted)") return true;
  }
  return false;
}

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return done();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

std::function<void(hotmod::LogLevel, std::string_view)> LogCapture::sink() {
  return [this](hotmod::LogLevel level, std::string_view text) {
    std::lock_guard lock(mutex_);
    lines_.push_back({level, std::string(text)});
  };
}

std::vector<LogCapture::Line> LogCapture::lines() const {
  std::lock_guard lock(mutex_);
  return lines_;
}

bool LogCapture::contains(hotmod::LogLevel level,
                          std::initializer_list<std::string_view> parts) const {
  std::lock_guard lock(mutex_);
  return std::any_of(lines_.begin(), lines_.end(), [&](const Line& l) {
    return l.level >= level && std::all_of(parts.begin(), parts.end(), [&](std::string_view p) {
             return l.text.find(p) != std::string::npos;
           });
  });
}

std::string LogCapture::dump() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const Line& l : lines_)
    out += std::to_string(static_cast<int>(l.level)) + " " + l.text + "\n";
  return out;
}

EventLog::EventLog(hotmod::EventBus& bus)
    : subscription_(
          bus.subscribe("*", [shared = shared_](std::string_view topic, const hotmod::Value& p) {
            std::lock_guard lock(shared->mutex);
            shared->events.push_back({std::string(topic), p});
          })) {}

std::vector<hotmod::Value> EventLog::payloads(std::string_view topic) const {
  std::lock_guard lock(shared_->mutex);
  std::vector<hotmod::Value> out;
  for (const Event& e : shared_->events)
    if (e.topic == topic) out.push_back(e.payload);
  return out;
}

std::size_t EventLog::count(std::string_view topic) const {
  return payloads(topic).size();
}

std::vector<EventLog::Event> EventLog::events() const {
  std::lock_guard lock(shared_->mutex);
  return shared_->events;
}

void EventLog::clear() {
  std::lock_guard lock(shared_->mutex);
  shared_->events.clear();
}

RuntimeTest::RuntimeTest() {
  fs::create_directories(modules());
}

hotmod::RuntimeOptions RuntimeTest::options() const {
  hotmod::RuntimeOptions o;
  o.module_paths = {modules()};
  o.versions_dir = versions();
  o.state_dir = state();
  o.log_sink = logs_->sink();
  o.log_level = hotmod::LogLevel::debug;
  return o;
}

fs::path RuntimeTest::install(const char* fixture, std::string_view as) const {
  fs::path to = modules() / as;
  install_atomic(fixture, to);
  return to;
}

fs::path RuntimeTest::install_in_place(const char* fixture, std::string_view as) const {
  fs::path to = modules() / as;
  hotmod_test::install_in_place(fixture, to);
  return to;
}

int call_int(const hotmod::Module& m, std::string_view function) {
  if (!m) {
    ADD_FAILURE() << function << "(): no module";
    return -1;
  }
  hotmod::Result<int> r = m.call_as<int>(function);
  if (!r.ok()) {
    ADD_FAILURE() << function << "(): " << hotmod::to_string(r.error().stage) << ": "
                  << r.error().message;
    return -1;
  }
  return r.value();
}

hotmod::Module load(hotmod::Runtime& rt, std::string_view name) {
  hotmod::Result<hotmod::Module> m = rt.module(name);
  if (!m.ok()) {
    ADD_FAILURE() << "loading " << name << ": " << hotmod::to_string(m.error().stage) << ": "
                  << m.error().message;
    return {};
  }
  return m.value();
}

}  // namespace hotmod_test
