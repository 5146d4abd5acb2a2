#include "reload/thread_frame.hpp"

namespace hotmod::reload {

ThreadFrame& this_thread_frame() {
  thread_local ThreadFrame frame;
  return frame;
}

}  // namespace hotmod::reload
