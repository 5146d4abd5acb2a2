// How many watcher threads are running in this process, for tests: a
// watcher destroyed from its own callback cannot join its thread, and a test
// that checks it winds down waits for this to drop (an acquire, so what the
// thread did happens before what the test does next).
#pragma once

#include <cstddef>

namespace hotmod::watch {

std::size_t watcher_threads_running();

}  // namespace hotmod::watch
