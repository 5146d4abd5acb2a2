// A trace of what the runtime did (loads, reloads, builds, calls) in Chrome's
// trace-event format, for Perfetto (ui.perfetto.dev) or chrome://tracing.
//
// The file is the format's "JSON Array" form: "[", one event per line, and
// "]" on close(). Each event is flushed as it is written, and the format
// allows the closing bracket to be missing, so the trace of a process that
// crashed still opens.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string_view>
#include <unordered_set>

#include "hotmod/value.hpp"

namespace hotmod::diag {

// Thread-safe: every member may be called from any thread.
class TraceWriter {
 public:
  TraceWriter() = default;
  ~TraceWriter();  // closes
  TraceWriter(const TraceWriter&) = delete;
  TraceWriter& operator=(const TraceWriter&) = delete;

  // Starts a trace at `path` (created or truncated; its folder must exist:
  // an error names the path and why it cannot be written), closing any
  // trace already open. Times are measured from this call.
  // Returns the path written, absolute.
  Result<std::filesystem::path> open(const std::filesystem::path& path);

  // A span ("ph":"X") that began at `start` and lasted `duration`, on the
  // calling thread (a start before open() gives a negative "ts"). `args` (an object, or null for
  // none) shows in the viewer's details.
  void complete(std::string_view name, std::string_view category,
                std::chrono::steady_clock::time_point start, std::chrono::nanoseconds duration,
                const Value& args = nullptr);

  // A moment ("ph":"i", thread-scoped) on the calling thread, now.
  void instant(std::string_view name, std::string_view category, const Value& args = nullptr);

  // Ends the file with "]". Returns how many spans and moments it holds
  // (the metadata naming the process and its threads not counted); 0 when
  // no trace was open.
  std::size_t close();

  bool active() const;

 private:
  // With mutex_ held.
  std::size_t close_locked();
  void write_event(Value event);
  void name_thread(int tid);

  mutable std::mutex mutex_;
  std::FILE* file_ = nullptr;
  std::chrono::steady_clock::time_point origin_;
  std::size_t events_ = 0;                 // complete() and instant() calls written
  bool first_line_ = true;                 // the next event needs no separating comma
  std::unordered_set<int> named_threads_;  // thread_name written
};

}  // namespace hotmod::diag
