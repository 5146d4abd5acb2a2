#include "diag/trace_writer.hpp"

#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>
#include <utility>

#include <fmt/format.h>

namespace hotmod::diag {

namespace {

// Small, stable thread numbers (1, 2, ...) in the order threads first
// write to any trace: easier to read in a viewer than kernel thread ids.
int this_thread_number() {
  static std::atomic<int> next{1};
  thread_local const int number = next.fetch_add(1, std::memory_order_relaxed);
  return number;
}

std::string this_thread_name(int number) {
  char name[16] = {};  // the kernel's limit, NUL included
  if (pthread_getname_np(pthread_self(), name, sizeof name) == 0 && name[0] != '\0') return name;
  return "thread " + std::to_string(number);
}

double micros(std::chrono::nanoseconds d) {
  return std::chrono::duration<double, std::micro>(d).count();
}

}  // namespace

TraceWriter::~TraceWriter() {
  close();
}

Result<std::filesystem::path> TraceWriter::open(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  if (ec) absolute = path;
  // The running trace is closed before the new file is opened: reopening the
  // same path must not truncate a file still being written.
  std::lock_guard lock(mutex_);
  close_locked();
  std::FILE* file = std::fopen(absolute.c_str(), "w");
  if (file == nullptr)
    return Error{Stage::trace, Failure::io_error,
                 fmt::format("cannot write the trace file '{}': {}", absolute.string(),
                             std::strerror(errno))};
  file_ = file;
  origin_ = std::chrono::steady_clock::now();
  events_ = 0;
  first_line_ = true;
  named_threads_.clear();
  std::fputs("[\n", file_);
  write_event({{"name", "process_name"},
               {"ph", "M"},
               {"pid", ::getpid()},
               {"tid", 0},
               {"args", {{"name", "hotmod"}}}});
  return absolute;
}

void TraceWriter::complete(std::string_view name, std::string_view category,
                           std::chrono::steady_clock::time_point start,
                           std::chrono::nanoseconds duration, const Value& args) {
  const int tid = this_thread_number();
  std::lock_guard lock(mutex_);
  if (file_ == nullptr) return;
  name_thread(tid);
  Value event = {{"name", name},
                 {"cat", category},
                 {"ph", "X"},
                 {"ts", micros(start - origin_)},
                 {"dur", micros(duration)},
                 {"pid", ::getpid()},
                 {"tid", tid}};
  if (!args.is_null()) event["args"] = args;
  write_event(std::move(event));
  ++events_;
}

void TraceWriter::instant(std::string_view name, std::string_view category, const Value& args) {
  const auto now = std::chrono::steady_clock::now();
  const int tid = this_thread_number();
  std::lock_guard lock(mutex_);
  if (file_ == nullptr) return;
  name_thread(tid);
  Value event = {{"name", name},
                 {"cat", category},
                 {"ph", "i"},
                 {"s", "t"},
                 {"ts", micros(now - origin_)},
                 {"pid", ::getpid()},
                 {"tid", tid}};
  if (!args.is_null()) event["args"] = args;
  write_event(std::move(event));
  ++events_;
}

std::size_t TraceWriter::close() {
  std::lock_guard lock(mutex_);
  return close_locked();
}

std::size_t TraceWriter::close_locked() {
  if (file_ == nullptr) return 0;
  std::fputs("\n]\n", file_);
  std::fclose(file_);
  file_ = nullptr;
  return std::exchange(events_, 0);
}

bool TraceWriter::active() const {
  std::lock_guard lock(mutex_);
  return file_ != nullptr;
}

void TraceWriter::write_event(Value event) {
  // Names and arguments come from modules: invalid UTF-8 is replaced, not
  // thrown about.
  const std::string line = event.dump(-1, ' ', false, Value::error_handler_t::replace);
  if (!first_line_) std::fputs(",\n", file_);
  first_line_ = false;
  std::fwrite(line.data(), 1, line.size(), file_);
  std::fflush(file_);
}

void TraceWriter::name_thread(int tid) {
  if (!named_threads_.insert(tid).second) return;
  write_event({{"name", "thread_name"},
               {"ph", "M"},
               {"pid", ::getpid()},
               {"tid", tid},
               {"args", {{"name", this_thread_name(tid)}}}});
}

}  // namespace hotmod::diag
