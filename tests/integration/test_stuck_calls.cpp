// A call that does not return: once it holds up a replaced version's
// unloading past limits.pinned_call_s it is reported, naming its thread and
// the version it keeps in memory; the new version serves meanwhile. At
// shutdown the runtime waits that long, then leaves the version mapped
// rather than wait for ever.
#include <pthread.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <thread>

#include "crash_support.hpp"

namespace hotmod_test {
namespace {

// A pipe, closed when it goes.
struct Pipe {
  int fds[2] = {-1, -1};
  Pipe() { EXPECT_EQ(::pipe(fds), 0); }
  ~Pipe() {
    ::close(fds[0]);
    ::close(fds[1]);
  }
  int read_end() const { return fds[0]; }
  int write_end() const { return fds[1]; }
};

class StuckCall : public CrashTest {
 protected:
  hotmod::RuntimeOptions patient_for_a_second() const {
    hotmod::RuntimeOptions o = dev_options();
    o.limits.pinned_call = std::chrono::seconds(1);
    return o;
  }

  // Calls wait_for_host on a thread named "stuck-caller" and returns once
  // the call is inside the module.
  std::thread start_stuck_call(const hotmod::Module& m) {
    std::thread caller([this, m] {
      pthread_setname_np(pthread_self(), "stuck-caller");
      hotmod::Result<hotmod::Value> r = m.call_with(
          "wait_for_host", hotmod::Value::array({release_.read_end(), started_.write_end()}));
      EXPECT_TRUE(r.ok()) << r.error().message;
    });
    char byte = 0;
    EXPECT_EQ(::read(started_.read_end(), &byte, 1), 1);
    return caller;
  }
  void release() { EXPECT_EQ(::write(release_.write_end(), "r", 1), 1); }

  Pipe started_;
  Pipe release_;
};

TEST_F(StuckCall, IsReportedNamingItsThreadAndTheVersionItKeeps) {
  install_crasher(fixtures::crasher_v1);
  hotmod::Runtime rt(patient_for_a_second());
  hotmod::Module m = load(rt, "crasher");
  std::thread caller = start_stuck_call(m);
  install_crasher(fixtures::crasher_v2);
  ASSERT_TRUE(rt.reload("crasher").success);
  EXPECT_EQ(call_int(m, "version"), 2) << "the new version serves meanwhile";
  EXPECT_TRUE(wait_until([&] {
    return logs_->contains(hotmod::LogLevel::warn,
                           {"module 'crasher' version 1.0.0", "still inside a call",
                            "'stuck-caller'", "limits.pinned_call_s"});
  })) << logs_->dump();
  release();
  caller.join();
  rt.wait_for_unloads();
  EXPECT_FALSE(logs_->contains(hotmod::LogLevel::warn, {"stayed in memory"})) << logs_->dump();
}

TEST_F(StuckCall, ShutdownWaitsItsLimitThenLeavesTheVersionMapped) {
  install_crasher(fixtures::crasher_v1);
  auto rt = std::make_unique<hotmod::Runtime>(patient_for_a_second());
  hotmod::Module m = load(*rt, "crasher");
  std::thread caller = start_stuck_call(m);
  const auto start = std::chrono::steady_clock::now();
  rt.reset();  // returns: the call is left running
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  EXPECT_TRUE(logs_->contains(
      hotmod::LogLevel::warn,
      {"module 'crasher' (version 1.0.0) stayed in memory", "still running at shutdown"}))
      << logs_->dump();
  release();  // and it returns into code that is still there
  caller.join();
}

}  // namespace
}  // namespace hotmod_test
